// Shared plumbing of the `breakglass drill …`, `incident …` and `report readiness` commands: opening the runtime (with
// the directory the service uses when Graph is needed), choosing the drill an --account or --drill option points at,
// and printing times and drills the same way everywhere. The cadence and the alert channels are the service's (it
// mirrors them into the store when it starts): a CLI run from a shell with other settings must not change where the
// service sends alerts, so commands never rewrite that mirror.
import { userInfo } from 'node:os';
import type { Clock } from '../clock.ts';
import { requireAccount } from '../accounts/emergency-accounts.ts';
import { getDrill, openDrillOf, type Drill } from '../drills/drill-service.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import type { Db } from '../store/schema.ts';
import { cliConfig } from './cli-config.ts';
import { CliError, EXIT_FAILURE, stringOption, type CommandContext } from './command.ts';

export interface DrillCliDeps {
  clock?: Clock;
}

export function cliActor(): string {
  return `cli:${userInfo().username}`;
}

export async function withDrillRuntime<T>(ctx: CommandContext, deps: DrillCliDeps, opts: { directory: boolean }, fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = cliConfig(ctx);
  const runtime = await openRuntime(config, { mustExist: true, directory: opts.directory ? 'connect' : false, ...(deps.clock ? { clock: deps.clock } : {}) });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

/** The drill named by --drill ID, or the open drill of --account. */
export async function selectedDrill(ctx: CommandContext, db: Db, now: Date): Promise<Drill> {
  const id = stringOption(ctx, 'drill');
  const account = stringOption(ctx, 'account');
  if (id && account) throw new CliError('give either --drill ID or --account UPN, not both');
  if (id) return getDrill(db, id, now);
  if (!account) throw new CliError('say which drill: --drill ID, or --account UPN for the account\'s open drill');
  const a = await requireAccount(db, account);
  const d = await openDrillOf(db, a, now);
  if (!d) throw new CliError(`${a.upn} has no open drill; open one with \`breakglass drill open --account ${a.upn} …\``, EXIT_FAILURE);
  return d;
}

/** An ISO instant option, checked. */
export function instantOption(ctx: CommandContext, name: string): string | undefined {
  const v = stringOption(ctx, name);
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v) || Number.isNaN(Date.parse(v))) {
    throw new CliError(`--${name} must be an ISO-8601 instant with a time zone, e.g. 2026-03-02T14:00:00Z (got ${JSON.stringify(v)})`);
  }
  return new Date(v).toISOString();
}

export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, 'Z') : '—';
}

export function drillLines(d: Drill): string[] {
  const lines = [
    `drill ${d.id} — ${d.upn}`,
    `  status:        ${d.status}${d.status === 'open' ? ` (${d.phase.replace('_', ' ')})` : ''}`,
    `  window:        ${shortTime(d.window.start)} – ${shortTime(d.window.end)}`,
    `  performer:     ${d.performer}; witness: ${d.witness}${d.expectedKey ? `; expected key: ${d.expectedKey}` : ''}`,
    `  verification:  ${d.verification.state.replace('_', ' ')}${d.verification.signIn ? ` — sign-in ${String(d.verification.signIn.id)} at ${shortTime(String(d.verification.signIn.createdDateTime))}` : ''}`,
  ];
  for (const r of d.verification.reasons) lines.push(`                 ${r}`);
  if (d.result) {
    lines.push(`  closed:        ${shortTime(d.result.closedAt)} by ${d.result.closedBy}${d.result.nextDueAt ? `; next drill due ${d.result.nextDueAt.slice(0, 10)}` : ''}`);
    for (const r of d.result.reasons) lines.push(`                 ${r}`);
  }
  return lines;
}
