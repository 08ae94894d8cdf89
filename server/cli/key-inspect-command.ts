// `breakglass key inspect FILE.json`: reads a WebAuthn registration response (as @simplewebauthn/browser returns it,
// optionally wrapped with expectedChallenge / expectedOrigin / expectedRPID) and prints the attestation format,
// AAGUID and model, attestation certificate, UP/UV flags and — when the expectations are given — whether it verifies.
// Exit 0 = read (and verified, when expectations were given), 1 = does not verify, 2 = usage or bad file.
import type { Writable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { inspectRegistration, loadRegistrationFile, RegistrationFileError, type RegistrationInspection } from '../../hardware/index.ts';
import { EXIT_FAILURE, EXIT_OK, flag, writeJson, writeLine, type Command } from './command.ts';
import { fileArgument, translateHardwareErrors } from './key-support.ts';

export const keyInspectCommand: Command = {
  words: ['key', 'inspect'],
  summary: 'Inspect a WebAuthn registration response: format, AAGUID and model, certificate, flags, verification',
  usage: 'key inspect FILE.json [--ca FILE.pem]... [--json]',
  help: [
    'FILE.json   {"response": <startRegistration() result>, "expectedChallenge"?, "expectedOrigin"?, "expectedRPID"?}',
    '            or the bare response; with expectedChallenge and expectedOrigin it is fully verified',
    '--ca FILE   a PEM trust anchor for the attestation certificate path (repeatable), e.g. the vendor\'s MDS root',
    'Exit status: 0 read (and verified if expectations were given), 1 does not verify, 2 usage error or bad file.',
  ],
  options: { json: { type: 'boolean' }, ca: { type: 'string', multiple: true } },
  positionals: { min: 1, max: 1, names: 'FILE.json' },
  async run(ctx) {
    const json = flag(ctx, 'json');
    const path = fileArgument(ctx, ctx.positionals[0]!);
    const caFiles = ((ctx.values.ca as string[] | undefined) ?? []).map((f) => fileArgument(ctx, f));
    const inspection = await translateHardwareErrors(async () => {
      const file = await loadRegistrationFile(path);
      const trustAnchorsPem = await Promise.all(caFiles.map(readPem));
      return inspectRegistration(file, { trustAnchorsPem, source: path });
    });
    if (json) writeJson(ctx.io, inspection);
    else printInspection(ctx.io.stdout, inspection);
    return inspection.verification && !inspection.verification.verified ? EXIT_FAILURE : EXIT_OK;
  },
};

async function readPem(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RegistrationFileError(path, `trust anchor cannot be read (${(err as NodeJS.ErrnoException).code ?? 'I/O error'})`, err);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new RegistrationFileError(path, 'trust anchor is not a PEM certificate');
  return text;
}

function printInspection(out: Writable, r: RegistrationInspection): void {
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  writeLine(out, `format:          ${r.fmt}`);
  writeLine(out, `AAGUID:          ${r.aaguid}`);
  writeLine(out, `model:           ${r.model}${r.vendor ? ` (${r.vendor})` : ''}`);
  writeLine(out, `credential id:   ${r.credentialId}`);
  writeLine(out, `flags:           UP ${yes(r.flags.userPresent)}, UV ${yes(r.flags.userVerified)}, BE ${yes(r.flags.backupEligible)}, BS ${yes(r.flags.backedUp)}`);
  writeLine(out, `sign count:      ${r.signCount}`);
  if (r.clientData.origin) writeLine(out, `origin:          ${r.clientData.origin} (${r.clientData.type ?? 'no type'})`);
  writeLine(out, `attestation:     ${r.attestation.type}, signature ${r.attestation.signature}${r.attestation.detail ? ` — ${r.attestation.detail}` : ''}`);
  r.attestation.certificates.forEach((c, i) => {
    writeLine(out, `certificate ${i}:   subject ${c.subject}`);
    writeLine(out, `                 issuer ${c.issuer}; valid ${c.validFrom.slice(0, 10)} to ${c.validTo.slice(0, 10)}${c.aaguid ? `; AAGUID extension ${c.aaguid}` : ''}`);
  });
  if (r.verification) {
    writeLine(out, `verified:        ${r.verification.verified ? `YES (${r.verification.checked.join(', ')})` : `NO — ${r.verification.error ?? 'failed'}`}`);
  } else {
    writeLine(out, 'verified:        not checked (no expectations in the file)');
  }
  for (const n of r.notes) writeLine(out, `note: ${n}`);
}
