// `breakglass incident list` and `incident classify`: the uses of emergency accounts outside drill windows (and method
// changes on them) that monitoring found, and the post-mortem classification an officer gives each one.
import { classifyIncident, listIncidents, type Incident } from '../monitoring/incidents.ts';
import { configOption, jsonOption } from './cli-config.ts';
import { CliError, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command } from './command.ts';
import { cliActor, shortTime, withDrillRuntime, type DrillCliDeps } from './drill-cli.ts';

function incidentLine(i: Incident): string {
  const c = i.status === 'classified' ? `classified ${i.classification} by ${i.classifiedBy}` : 'OPEN — waiting for classification';
  return `${i.id}  ${shortTime(i.occurredAt)}  ${i.severity.padEnd(8)}  ${i.title}\n    ${c}`;
}

export function createIncidentListCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['incident', 'list'],
    summary: 'List incidents: uses of emergency accounts outside drill windows and method changes',
    usage: 'incident list [--status open|classified] [--json]',
    help: ['Exit status: 0 (also when incidents are open), 2 usage.'],
    options: { ...configOption, ...jsonOption, status: { type: 'string' } },
    async run(ctx) {
      const status = stringOption(ctx, 'status');
      if (status !== undefined && status !== 'open' && status !== 'classified') throw new CliError('--status is open or classified');
      const list = await withDrillRuntime(ctx, deps, { directory: false }, (runtime) => listIncidents(runtime.database.db, status ? { status } : {}));
      if (flag(ctx, 'json')) writeJson(ctx.io, { incidents: list });
      else if (list.length === 0) writeLine(ctx.io.stdout, status ? `no ${status} incidents` : 'no incidents');
      else for (const i of list) writeLine(ctx.io.stdout, incidentLine(i));
      return EXIT_OK;
    },
  };
}

export function createIncidentClassifyCommand(deps: DrillCliDeps = {}): Command {
  return {
    words: ['incident', 'classify'],
    summary: 'Classify an incident (post-mortem): drill, emergency, misuse, or authorized_change for a method change',
    usage: 'incident classify <ID> --as drill|emergency|misuse|authorized_change --notes TEXT [--json]',
    help: ['Exit status: 0 classified, 1 refused (already classified, wrong kind), 2 usage.'],
    options: { ...configOption, ...jsonOption, as: { type: 'string' }, notes: { type: 'string' } },
    positionals: { min: 1, max: 1, names: '<ID>' },
    async run(ctx) {
      const as = stringOption(ctx, 'as');
      const notes = stringOption(ctx, 'notes');
      if (!as) throw new CliError('--as is required (drill, emergency, misuse or authorized_change)');
      if (!notes?.trim()) throw new CliError('--notes is required: who used the account, why, and what was done with it');
      const incident = await withDrillRuntime(ctx, deps, { directory: false }, (runtime) => classifyIncident({ audit: runtime.audit }, { id: ctx.positionals[0]!, classification: as, notes, actor: cliActor() }));
      if (flag(ctx, 'json')) writeJson(ctx.io, incident);
      else writeLine(ctx.io.stdout, incidentLine(incident));
      return EXIT_OK;
    },
  };
}

export const incidentListCommand = createIncidentListCommand();
export const incidentClassifyCommand = createIncidentClassifyCommand();
