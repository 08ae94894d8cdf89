// The registry of CLI commands. Add a command by writing `<words>-command.ts` that exports a `Command` and listing
// it here.
import type { Command } from './command.ts';
import { auditCheckpointCommand } from './audit-checkpoint-command.ts';
import { auditConsistencyCommand } from './audit-consistency-command.ts';
import { auditExportCommand } from './audit-export-command.ts';
import { auditKeyCommand } from './audit-key-command.ts';
import { auditProveCommand } from './audit-prove-command.ts';
import { auditVerifyCommand } from './audit-verify-command.ts';
import { serveCommand } from './serve-command.ts';
import { simServeCommand } from '../simulator/sim-serve-command.ts';
import { keyListCommand } from './key-list-command.ts';
import { keyInfoCommand } from './key-info-command.ts';
import { keyCheckCommand } from './key-check-command.ts';
import { keyInspectCommand } from './key-inspect-command.ts';
import { enrollmentCommands } from './enrollment-commands.ts';
import { drillCommands } from './drill-commands.ts';

export const commands: Command[] = [
  serveCommand,
  simServeCommand,
  auditVerifyCommand,
  auditExportCommand,
  auditCheckpointCommand,
  auditProveCommand,
  auditConsistencyCommand,
  auditKeyCommand,
  keyListCommand,
  keyInfoCommand,
  keyCheckCommand,
  keyInspectCommand,
  ...drillCommands,
  ...enrollmentCommands(),
];
