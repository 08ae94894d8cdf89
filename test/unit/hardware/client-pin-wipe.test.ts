// ClientPin wipes the PIN material it builds (padded new PIN, PIN hash) even when the request fails before reaching
// the key: a blocked PIN found by the retries pre-check, or a key-agreement step that fails. `wipe` is wrapped to
// record what it was handed (a copy taken before the wipe) and the buffer itself, so a test can check both that the
// exact secret went to `wipe` and that the buffer is zero afterwards.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const wiped = vi.hoisted(() => [] as { before: Uint8Array; buffer: Uint8Array }[]);

vi.mock('../../../hardware/bytes.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../hardware/bytes.ts')>();
  return {
    ...actual,
    wipe(bytes: Uint8Array | undefined): void {
      if (bytes) wiped.push({ before: Uint8Array.from(bytes), buffer: bytes });
      actual.wipe(bytes);
    },
  };
});

import { ClientPin, ClientPinSubcommand, pinHashLeft16 } from '../../../hardware/client-pin.ts';
import type { Ctap2Client, ClientPinParams } from '../../../hardware/ctap2-client.ts';
import { InvalidResponseError, PinAuthBlockedError, PinBlockedError } from '../../../hardware/errors.ts';
import type { AuthenticatorInfo } from '../../../hardware/get-info.ts';

const PIN = 'Tr0ub4dor&3-vault';
const NEW_PIN = 'correct-horse-42';

function info(pinSet: boolean): AuthenticatorInfo {
  return { versions: ['FIDO_2_1'], aaguid: '00000000-0000-0000-0000-000000000000', options: { clientPin: pinSet, pinUvAuthToken: true }, pinUvAuthProtocols: [2] };
}

/** A fake CTAP2 client that answers getPINRetries with `retries` and everything else with an empty response. */
function fakeCtap(retries: { retries: number; powerCycleState?: boolean }) {
  const sent: number[] = [];
  const ctap = {
    async clientPin(p: ClientPinParams) {
      sent.push(p.subCommand);
      if (p.subCommand === ClientPinSubcommand.getPINRetries) {
        const map = new Map<number, number | boolean>([[0x03, retries.retries]]);
        if (retries.powerCycleState !== undefined) map.set(0x04, retries.powerCycleState);
        return map;
      }
      return undefined;
    },
  } as unknown as Ctap2Client;
  return { ctap, sent };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The recorded wipe of a buffer that held exactly `secret`; it must be all zeros now. */
function expectWiped(secret: Uint8Array): void {
  const hit = wiped.find((w) => sameBytes(w.before, secret));
  expect(hit, 'the secret was handed to wipe').toBeDefined();
  expect(hit!.buffer.every((b) => b === 0)).toBe(true);
}

function padded(pin: string): Uint8Array {
  const out = new Uint8Array(64);
  out.set(Buffer.from(pin.normalize('NFC'), 'utf8'));
  return out;
}

describe('ClientPin wipes PIN material on early failures', () => {
  beforeEach(() => {
    wiped.length = 0;
  });

  it('getPinToken: a blocked PIN (pre-check) still wipes the PIN hash', async () => {
    const { ctap, sent } = fakeCtap({ retries: 0 });
    await expect(new ClientPin(ctap, info(true)).getPinToken(PIN, { permissions: 0x01, rpId: 'example.com' })).rejects.toBeInstanceOf(PinBlockedError);
    expect(sent).toEqual([ClientPinSubcommand.getPINRetries]);
    expectWiped(pinHashLeft16(PIN));
  });

  it('changePin: a power-cycle-blocked PIN (pre-check) still wipes the padded new PIN and the current PIN hash', async () => {
    const { ctap, sent } = fakeCtap({ retries: 5, powerCycleState: true });
    await expect(new ClientPin(ctap, info(true)).changePin(PIN, NEW_PIN)).rejects.toBeInstanceOf(PinAuthBlockedError);
    expect(sent).toEqual([ClientPinSubcommand.getPINRetries]);
    expectWiped(pinHashLeft16(PIN));
    expectWiped(padded(NEW_PIN));
  });

  it('setPin: a failed key agreement still wipes the padded new PIN', async () => {
    const { ctap, sent } = fakeCtap({ retries: 8 });
    await expect(new ClientPin(ctap, info(false)).setPin(NEW_PIN)).rejects.toBeInstanceOf(InvalidResponseError);
    expect(sent).toEqual([ClientPinSubcommand.getKeyAgreement]);
    expectWiped(padded(NEW_PIN));
  });
});
