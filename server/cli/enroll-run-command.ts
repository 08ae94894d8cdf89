// `breakglass enroll run <request id>`: the requesting officer runs an approved enrollment.
//   guided: checks the TAP policy, issues a one-time pass with the shortest lifetime it allows and shows it ONCE here
//           (never stored or logged), explains the steps on the security-info page, then watches Entra until the key
//           appears and the pass is consumed (or deletes it). --no-wait / --json return after showing the pass.
//   direct: asks for the key's PIN (or a new PIN for a key without one), registers the key on behalf of the account
//           over USB and reads it back from Entra.
// Exit 0 completed (or pass issued with --no-wait), 1 failed or expired, 3 still waiting (resume later), 2 usage.
import type { EnrollmentRequest } from '../enrollment/enrollment-requests.ts';
import { configOption } from './cli-config.ts';
import { CliError, EXIT_FAILURE, EXIT_OK, flag, stringOption, writeJson, writeLine, type Command, type CommandContext } from './command.ts';
import {
  breakglassKeyHelp, breakglassKeyOptions, EXIT_UNDECIDED, officerKeyHelp, officerKeyOptions, printRequest, provenOfficer, withEnrollment, type EnrollmentCliDeps,
} from './enrollment-cli.ts';
import { watchUntilDone, type WatchEnd } from './enroll-watch.ts';
import { readSecret } from './secret-input.ts';

export const watchOptions = { 'no-wait': { type: 'boolean' }, poll: { type: 'string' } } as const;

export function pollMs(ctx: CommandContext): number {
  const p = stringOption(ctx, 'poll');
  if (p === undefined) return 5000;
  if (!/^\d+(\.\d+)?$/.test(p) || Number(p) < 0.01 || Number(p) > 600) throw new CliError('--poll must be a number of seconds from 0.01 to 600');
  return Math.round(Number(p) * 1000);
}

export const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Prints how a watch ended and returns the exit code. */
export function reportWatch(ctx: CommandContext, id: string, end: WatchEnd): number {
  const out = ctx.io.stdout;
  if (!('request' in end)) {
    writeLine(out, end.outcome === 'unreachable' ? 'Graph kept failing; stopped watching. Nothing was lost.' : 'Stopped watching; nothing was changed.');
    writeLine(out, `Continue with: breakglass enroll resume ${id}`);
    return EXIT_UNDECIDED;
  }
  if (end.outcome === 'waiting' || end.outcome === 'not_watching') {
    printRequest(out, end.request);
    writeLine(out, end.request.state === 'approved' ? `Run it again with: breakglass enroll run ${id}` : `Continue with: breakglass enroll resume ${id}`);
    return EXIT_UNDECIDED;
  }
  const r = end.request;
  if (end.outcome === 'completed') {
    writeLine(out, `Enrollment ${r.id} completed: ${r.displayName} is registered for ${r.upn} (Entra method ${r.fido2MethodId}).`);
    if (r.mode === 'guided') writeLine(out, `The Temporary Access Pass was ${r.tap.state === 'consumed' ? 'consumed (OneTimeUsed)' : 'deleted'}.`);
    writeLine(out, `Inventory key ${r.keyId}; first drill due ${r.drillDueAt}.`);
    writeLine(out, r.location || r.sealNumber ? `Seal it (${r.sealNumber || 'no seal number'}) and put it in ${r.location || 'its safe'}.` : 'Record where the key is kept: breakglass key custody ' + r.keyId + ' --location … --seal … --reason "enrolled"');
    return EXIT_OK;
  }
  writeLine(out, `Enrollment ${r.id} ${r.state}: ${r.error?.message ?? r.closeReason}`);
  return EXIT_FAILURE;
}

function printTap(ctx: CommandContext, t: { temporaryAccessPass: string; expiresAt: string; lifetimeMinutes: number; upn: string; securityInfoUrl: string; request: EnrollmentRequest }): void {
  const out = ctx.io.stdout;
  writeLine(out, `Temporary Access Pass for ${t.upn} — shown once, stored nowhere:`);
  writeLine(out, '');
  writeLine(out, `    ${t.temporaryAccessPass}`);
  writeLine(out, '');
  writeLine(out, `One-time use; valid ${t.lifetimeMinutes} minutes, until ${t.expiresAt}.`);
  writeLine(out, 'On this workstation:');
  writeLine(out, `  1. Open ${t.securityInfoUrl} in a private browser window.`);
  writeLine(out, `  2. Sign in as ${t.upn} with the pass above.`);
  writeLine(out, `  3. Add a security key; insert the pre-checked key (${t.request.key.model}, AAGUID ${t.request.key.aaguid}), touch it, set or enter its PIN.`);
  writeLine(out, `  4. Name it "${t.request.displayName}", then sign out and close the window.`);
  writeLine(out, '');
}

export function createEnrollRunCommand(deps: EnrollmentCliDeps = {}): Command {
  return {
    words: ['enroll', 'run'],
    summary: 'Run an approved enrollment (guided: issue the TAP and watch; direct: register over USB)',
    usage: 'enroll run <request id> [--no-wait] [--poll SECONDS] [--new-pin] [--device PATH | --virtual PROFILE] [--officer-device PATH] [--json]',
    help: [
      '--no-wait       guided: return once the pass is shown (then `enroll resume` watches)',
      '--poll SECONDS  guided: how often to ask Entra whether the key has appeared (default 5)',
      '--new-pin       direct: the key has no PIN yet; choose one (asked twice) and set it before registering',
      'PINs are asked on the terminal without echo, or read one per line from standard input. Never pass them as arguments.',
      ...breakglassKeyHelp,
      ...officerKeyHelp,
      'Exit status: 0 completed (or pass issued with --no-wait), 1 failed or expired, 3 still waiting, 2 usage.',
    ],
    options: { ...configOption, ...breakglassKeyOptions, ...officerKeyOptions, ...watchOptions, json: { type: 'boolean' }, 'new-pin': { type: 'boolean' } },
    positionals: { min: 1, max: 1, names: '<request id>' },
    async run(ctx) {
      const id = ctx.positionals[0]!;
      const json = flag(ctx, 'json');
      const poll = pollMs(ctx);
      return withEnrollment(ctx, deps, async (env) => {
        const r = await env.service.get(id);
        const officer = await provenOfficer(ctx, deps, env, 'enrollment.request');
        try {
          if (r.mode === 'guided') {
            const issued = await env.service.issueTap({ id, actor: officer.actor });
            if (json) {
              // The one place the pass appears in machine-readable form: this response, to the requesting officer.
              writeJson(ctx.io, { request: issued.request, temporaryAccessPass: issued.temporaryAccessPass, expiresAt: issued.expiresAt, lifetimeMinutes: issued.lifetimeMinutes, securityInfoUrl: issued.securityInfoUrl });
              return EXIT_OK;
            }
            printTap(ctx, issued);
            if (flag(ctx, 'no-wait')) {
              writeLine(ctx.io.stdout, `Watch for the key with: breakglass enroll resume ${id}`);
              return EXIT_OK;
            }
            const end = await watchUntilDone(ctx, env.service, id, { pollMs: poll, sleep: deps.sleep ?? realSleep });
            return reportWatch(ctx, id, end);
          }
          const newPin = flag(ctx, 'new-pin');
          let pin: string;
          if (newPin) {
            pin = await readSecret(ctx.io, 'New PIN for the key being enrolled: ');
            const again = await readSecret(ctx.io, 'The same PIN again: ');
            if (again !== pin) throw new CliError('the two PINs differ; nothing was changed');
          } else {
            pin = await readSecret(ctx.io, 'PIN of the key being enrolled: ');
          }
          const done = await env.service.registerDirect({ id, actor: officer.actor, ...(newPin ? { newPin: pin } : { pin }), onTouch: () => writeLine(ctx.io.stderr, 'Touch the key being enrolled now.') });
          if (json) writeJson(ctx.io, done);
          else return reportWatch(ctx, id, { outcome: done.state === 'completed' ? 'completed' : 'failed', request: done });
          return done.state === 'completed' ? EXIT_OK : EXIT_FAILURE;
        } finally {
          await officer.signOut();
        }
      });
    },
  };
}
