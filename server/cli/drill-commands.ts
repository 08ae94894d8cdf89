// The commands of drills, monitoring and the readiness report (issue 7), listed in commands.ts as one group.
import type { Command } from './command.ts';
import { drillCancelCommand, drillCloseCommand } from './drill-close-command.ts';
import { drillListCommand } from './drill-list-command.ts';
import { drillOpenCommand } from './drill-open-command.ts';
import { drillVerifyCommand } from './drill-verify-command.ts';
import { incidentClassifyCommand, incidentListCommand } from './incident-command.ts';
import { reportReadinessCommand } from './report-readiness-command.ts';
import { simRegisterKeyCommand } from './sim-register-key-command.ts';
import { simSigninCommand } from './sim-signin-command.ts';

export const drillCommands: Command[] = [
  drillListCommand,
  drillOpenCommand,
  drillVerifyCommand,
  drillCloseCommand,
  drillCancelCommand,
  incidentListCommand,
  incidentClassifyCommand,
  reportReadinessCommand,
  simRegisterKeyCommand,
  simSigninCommand,
];
