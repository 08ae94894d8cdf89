// A key PIN never reaches an error message, a log line, a report on the wire or an object someone might print. The
// checks look for the PIN in every form it could leak in: the text, its UTF-8 bytes in hex and base64, and its
// LEFT(SHA-256, 16) hash, which is all a key ever needs.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { Permission } from '../../../hardware/client-pin.ts';
import { createCredential } from '../../../hardware/webauthn-client.ts';
import { HardwareError, PinAuthBlockedError, PinInvalidError } from '../../../hardware/errors.ts';
import { SecurityKey } from '../../../hardware/security-key.ts';
import { VirtualSecurityKey } from '../../../hardware/virtual/virtual-security-key.ts';
import { ORIGIN, RP_ID } from '../../fixtures/hardware/helpers/virtual-key.ts';

const PIN = 'Tr0ub4dor&3-vault';
const WRONG = 'wrong-guess-0815';

function forms(pin: string): string[] {
  const utf8 = Buffer.from(pin, 'utf8');
  return [pin, utf8.toString('hex'), utf8.toString('base64'), utf8.toString('base64url'), createHash('sha256').update(utf8).digest().subarray(0, 16).toString('hex')];
}

/** Everything a person or a log could get out of an error. */
function everythingAbout(err: unknown): string {
  const e = err as HardwareError;
  const parts = [String(err), e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(e.details), inspect(err, { depth: 20, showHidden: true })];
  let cause: unknown = e.cause;
  while (cause) {
    parts.push(inspect(cause, { depth: 20, showHidden: true }));
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

function expectNoPin(text: string, pin: string): void {
  for (const form of forms(pin)) expect(text.toLowerCase()).not.toContain(form.toLowerCase());
}

/** Opens a virtual key and records every report written to it, as bytes on the USB wire would be. */
async function recordedKey(options: ConstructorParameters<typeof VirtualSecurityKey>[1] = {}) {
  const virtual = await VirtualSecurityKey.load('breakglass-virtual', options);
  const handle = virtual.open();
  const wire: Buffer[] = [];
  const write = handle.write.bind(handle);
  handle.write = async (report: Buffer | number[]) => {
    wire.push(Buffer.from(report));
    return write(report);
  };
  const key = await SecurityKey.open(handle);
  return { virtual, key, wire: () => Buffer.concat(wire) };
}

describe('PIN secrecy', () => {
  it('keeps a wrong PIN (and the right one) out of every part of the error', async () => {
    const { key } = await recordedKey({ pin: PIN });
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      errors.push(await key.clientPin().getPinToken(WRONG, { permissions: Permission.makeCredential, rpId: RP_ID }).catch((e: unknown) => e));
    }
    expect(errors[0]).toBeInstanceOf(PinInvalidError);
    expect(errors[2]).toBeInstanceOf(PinAuthBlockedError);
    for (const err of errors) {
      expectNoPin(everythingAbout(err), WRONG);
      expectNoPin(everythingAbout(err), PIN);
    }
    await key.close();
  });

  it('keeps the PIN out of errors from PIN validation and from a registration with a wrong PIN', async () => {
    const { key } = await recordedKey();
    const tooShort = await key.clientPin().setPin('q9!').catch((e: unknown) => e);
    expect(tooShort).toBeInstanceOf(HardwareError);
    expectNoPin(everythingAbout(tooShort), 'q9!');
    await key.clientPin().setPin(PIN);
    await key.refreshInfo();
    const failed = await createCredential(
      key,
      {
        challenge: Buffer.alloc(32, 7).toString('base64url'),
        rp: { id: RP_ID, name: 'Microsoft' },
        user: { id: 'dXNlcg', name: 'u', displayName: 'u' },
        pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      },
      { origin: ORIGIN, pin: WRONG },
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PinInvalidError);
    expectNoPin(everythingAbout(failed), WRONG);
    await key.close();
  });

  it('never puts the PIN or its hash on the wire in the clear (setPIN, changePIN, getPinToken)', async () => {
    const { key, wire } = await recordedKey();
    await key.clientPin().setPin(PIN);
    await key.refreshInfo();
    await key.clientPin().getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    await key.clientPin().changePin(PIN, WRONG);
    const bytes = wire();
    expect(bytes.length).toBeGreaterThan(64 * 10);
    for (const pin of [PIN, WRONG]) {
      const utf8 = Buffer.from(pin, 'utf8');
      expect(bytes.includes(utf8)).toBe(false);
      expect(bytes.includes(createHash('sha256').update(utf8).digest().subarray(0, 16))).toBe(false);
    }
    await key.close();
  });

  it('does not keep the PIN in objects a caller might log: token, ClientPin, the virtual key', async () => {
    const { key, virtual } = await recordedKey({ pin: PIN });
    const pin = key.clientPin();
    const token = await pin.getPinToken(PIN, { permissions: Permission.makeCredential, rpId: RP_ID });
    expect(JSON.stringify({ token })).toBe('{"token":"[pinUvAuthToken]"}');
    expect(inspect(token, { depth: 10, showHidden: true })).toBe('PinUvAuthToken { protocol: 2, permissions: 0x1 }');
    for (const obj of [pin, virtual, virtual.state, key]) expectNoPin(inspect(obj, { depth: 30, showHidden: true }), PIN);
    token.discard();
    expect(() => token.authenticate(new Uint8Array(32))).toThrow(/discarded/);
    await key.close();
  });
});
