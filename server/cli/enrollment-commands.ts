// The account, key-inventory and enrollment commands, built with shared dependencies (tests inject keys and clocks).
import type { Command } from './command.ts';
import type { EnrollmentCliDeps } from './enrollment-cli.ts';
import { createAccountCustodianAddCommand } from './account-custodian-add-command.ts';
import { createAccountCustodianRemoveCommand } from './account-custodian-remove-command.ts';
import { createAccountDesignateCommand } from './account-designate-command.ts';
import { createAccountListCommand } from './account-list-command.ts';
import { createAccountReconcileCommand } from './account-reconcile-command.ts';
import { createAccountRetireCommand } from './account-retire-command.ts';
import { createAccountShowCommand } from './account-show-command.ts';
import { createEnrollApproveCommand } from './enroll-approve-command.ts';
import { createEnrollCancelCommand } from './enroll-cancel-command.ts';
import { createEnrollListCommand } from './enroll-list-command.ts';
import { createEnrollPrecheckCommand } from './enroll-precheck-command.ts';
import { createEnrollRejectCommand } from './enroll-reject-command.ts';
import { createEnrollRequestCommand } from './enroll-request-command.ts';
import { createEnrollResumeCommand } from './enroll-resume-command.ts';
import { createEnrollRunCommand } from './enroll-run-command.ts';
import { createEnrollShowCommand } from './enroll-show-command.ts';
import { createKeyAdoptCommand } from './key-adopt-command.ts';
import { createKeyCustodyCommand } from './key-custody-command.ts';
import { createKeyInventoryCommand } from './key-inventory-command.ts';
import { createKeyLostCommand } from './key-lost-command.ts';

export function enrollmentCommands(deps: EnrollmentCliDeps = {}): Command[] {
  return [
    createAccountDesignateCommand(deps),
    createAccountListCommand(deps),
    createAccountShowCommand(deps),
    createAccountRetireCommand(deps),
    createAccountReconcileCommand(deps),
    createAccountCustodianAddCommand(deps),
    createAccountCustodianRemoveCommand(deps),
    createKeyInventoryCommand(deps),
    createKeyAdoptCommand(deps),
    createKeyCustodyCommand(deps),
    createKeyLostCommand(deps),
    createEnrollPrecheckCommand(deps),
    createEnrollRequestCommand(deps),
    createEnrollListCommand(deps),
    createEnrollShowCommand(deps),
    createEnrollApproveCommand(deps),
    createEnrollRejectCommand(deps),
    createEnrollRunCommand(deps),
    createEnrollResumeCommand(deps),
    createEnrollCancelCommand(deps),
  ];
}
