// Property tests: every decoder that reads bytes or files from outside — USB reports, CTAP responses, CBOR,
// authenticator data, attestation objects, getInfo, key profiles, allow-lists, tenant policies, registration files,
// and the virtual authenticator's request parsers — either returns a value or throws a typed HardwareError. No
// crash, no untyped exception, no hang.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { decodeCbor, encodeCbor, type CborInput, type CborMap } from '../../../hardware/cbor.ts';
import { MessageAssembler, decodeFrame, encodeFrames, CtapHidCmd } from '../../../hardware/ctaphid-framing.ts';
import { decodeGetInfo } from '../../../hardware/get-info.ts';
import { decodeAssertionResponse, decodeCtapResponse, decodeMakeCredentialResponse } from '../../../hardware/ctap2-client.ts';
import { encodeAuthenticatorData, parseAuthenticatorData } from '../../../hardware/auth-data.ts';
import { buildAttestationObject, parseAttestationObject } from '../../../hardware/attestation.ts';
import { decodeCoseEc2Key } from '../../../hardware/cose-key.ts';
import { parseKeyProfile, loadBuiltinProfile } from '../../../hardware/key-profile.ts';
import { parseAllowList, parseTenantPolicy } from '../../../hardware/key-check.ts';
import { inspectRegistration, parseRegistrationFile } from '../../../hardware/registration-inspect.ts';
import { HardwareError, InvalidResponseError } from '../../../hardware/errors.ts';
import { CtapHidConnection } from '../../../hardware/ctaphid-connection.ts';
import { VirtualAuthenticator } from '../../../hardware/virtual/virtual-authenticator.ts';
import { VirtualCtapHid } from '../../../hardware/virtual/virtual-ctaphid.ts';
import { UserPresence } from '../../../hardware/virtual/user-presence.ts';
import { ScriptedHidDevice, answerInit } from '../../fixtures/hardware/helpers/scripted-hid-device.ts';

/** Runs `fn`; a thrown error must be a HardwareError (of `cls` when given). */
function typedOrValue(fn: () => unknown, cls: new (...args: never[]) => HardwareError = HardwareError): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof cls)) throw new Error(`untyped failure: ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`);
  }
}

const cborLeaf = fc.oneof(
  fc.integer({ min: -70000, max: 70000 }),
  fc.string({ maxLength: 12 }),
  fc.boolean(),
  fc.uint8Array({ maxLength: 70 }),
  fc.constant(null),
);
const cborTree: fc.Arbitrary<CborInput> = fc.letrec<{ v: CborInput }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    cborLeaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -5, max: 40 }), fc.constantFrom('id', 'type', 'alg', 'rk', 'up', 'name', 'fmt', 'sig', 'x5c')), tie('v')), {
      maxLength: 5,
      selector: ([k]) => `${typeof k}:${String(k)}`,
    }).map((e) => new Map(e)),
  ),
})).v;
/** Maps with the integer keys CTAP responses use, holding arbitrary values. */
const ctapMap = fc
  .uniqueArray(fc.tuple(fc.integer({ min: 1, max: 0x20 }), cborTree), { maxLength: 10, selector: ([k]) => k })
  .map((e) => decodeCbor(encodeCbor(new Map(e)), { maxDepth: 16 }) as CborMap);

const validAuthData = encodeAuthenticatorData({
  rpIdHash: new Uint8Array(createHash('sha256').update('login.microsoft.com').digest()),
  flags: 0x45,
  signCount: 3,
  attestedCredentialData: {
    aaguid: '57e466f2-2f74-44f2-a7fd-a5a438446aed',
    credentialId: new Uint8Array(32).fill(9),
    credentialPublicKey: new Map<number, CborInput>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(32)], [-3, new Uint8Array(32)]]),
  },
  extensions: new Map([['credProtect', 1]]),
});
/** A valid input with a few bytes changed, inserted or cut: the inputs most likely to reach deep code. */
const mutated = (valid: Uint8Array) =>
  fc
    .array(fc.tuple(fc.nat({ max: valid.length }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'cut')), { minLength: 1, maxLength: 4 })
    .map((edits) => {
      let b = [...valid];
      for (const [pos, byte, op] of edits) {
        if (op === 'set' && pos < b.length) b[pos] = byte;
        else if (op === 'insert') b.splice(pos, 0, byte);
        else b = b.slice(0, pos);
      }
      return Uint8Array.from(b);
    });

describe('byte decoders', () => {
  it('CBOR: any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => typedOrValue(() => decodeCbor(b))), { numRuns: 2000 });
  });

  it('CTAPHID reports and reassembly: any report of any length, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 80 }), { maxLength: 20 }), (reports) => {
        const a = new MessageAssembler();
        for (const r of reports) {
          let frame;
          try {
            frame = decodeFrame(r);
          } catch (err) {
            expect(err).toBeInstanceOf(HardwareError);
            continue;
          }
          const result = a.push(frame);
          expect(['incomplete', 'complete', 'error']).toContain(result.state);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('CTAP2 responses: any status byte and body', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (b) => typedOrValue(() => decodeCtapResponse(b))), { numRuns: 2000 });
  });

  it('authenticator data: random bytes and mutations of a valid one', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => typedOrValue(() => parseAuthenticatorData(b), InvalidResponseError)), { numRuns: 1000 });
    fc.assert(fc.property(mutated(validAuthData), (b) => typedOrValue(() => parseAuthenticatorData(b), InvalidResponseError)), { numRuns: 2000 });
  });

  it('attestation objects: random bytes and mutations of a valid one', () => {
    const valid = buildAttestationObject('packed', validAuthData, new Map<string, CborInput>([['alg', -7], ['sig', new Uint8Array(70)]]));
    fc.assert(fc.property(mutated(valid), (b) => typedOrValue(() => parseAttestationObject(b), InvalidResponseError)), { numRuns: 2000 });
    fc.assert(fc.property(mutated(valid), (b) => typedOrValue(() => parseAttestationObject(b, { canonical: false }), InvalidResponseError)), { numRuns: 1000 });
  });
});

describe('structure decoders on arbitrary CBOR maps', () => {
  it('getInfo, makeCredential and getAssertion responses, COSE keys', () => {
    fc.assert(
      fc.property(ctapMap, (m) => {
        typedOrValue(() => decodeGetInfo(m), InvalidResponseError);
        typedOrValue(() => decodeMakeCredentialResponse(m), InvalidResponseError);
        typedOrValue(() => decodeAssertionResponse(m, undefined), InvalidResponseError);
        typedOrValue(() => decodeCoseEc2Key(m, (r) => {
          throw new InvalidResponseError('key', r);
        }), InvalidResponseError);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('file parsers on arbitrary JSON', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  // Objects shaped almost like the real thing, so the parsers' later checks are reached too.
  const profileLike = fc.record(
    {
      name: fc.oneof(fc.string(), fc.integer()),
      aaguid: fc.oneof(fc.uuid(), fc.string()),
      versions: fc.oneof(fc.array(fc.constantFrom('FIDO_2_0', 'FIDO_2_1', 'U2F_V2')), fc.string()),
      options: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.boolean(), fc.integer())), fc.constant(null)),
      maxMsgSize: fc.oneof(fc.integer({ min: -5, max: 5000 }), fc.string()),
      firmwareVersion: fc.oneof(fc.integer(), fc.constantFrom('0x50403', '5.4.3')),
      getInfo: fc.oneof(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('hex')), fc.string()),
      usb: fc.oneof(fc.record({ vendorId: fc.oneof(fc.integer(), fc.string()) }), fc.string()),
      pinUvAuthProtocols: fc.array(fc.integer({ min: -1, max: 4 })),
    },
    { requiredKeys: ['name'] },
  );

  it('key profiles', () => {
    fc.assert(fc.property(fc.oneof(json, profileLike), (j) => typedOrValue(() => parseKeyProfile(j, 'fuzz.json'))), { numRuns: 1500 });
  });

  it('allow-lists and tenant policies', () => {
    const listLike = fc.record({ keys: fc.array(fc.oneof(fc.uuid(), fc.string(), fc.record({ aaguid: fc.uuid(), minFirmwareVersion: fc.oneof(fc.integer(), fc.string()) }))), minCtapVersion: fc.string() }, { requiredKeys: [] });
    const policyLike = fc.record({ state: fc.string(), keyRestrictions: fc.record({ isEnforced: fc.boolean(), enforcementType: fc.constantFrom('allow', 'block', 'x'), aaGuids: fc.array(fc.oneof(fc.uuid(), fc.string())) }, { requiredKeys: [] }) }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(json, listLike, policyLike), (j) => {
        typedOrValue(() => parseAllowList(j, 'fuzz.json'));
        typedOrValue(() => parseTenantPolicy(j, 'fuzz.json'));
      }),
      { numRuns: 1500 },
    );
  });

  it('registration files, including inspection of whatever they carry', async () => {
    const b64 = fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString('base64url'));
    const regLike = fc.record({
      response: fc.record({ id: b64, type: fc.constantFrom('public-key', 'x'), response: fc.record({ clientDataJSON: b64, attestationObject: b64 }) }),
      expectedChallenge: fc.string(),
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, regLike), async (j) => {
        let file;
        try {
          file = parseRegistrationFile(j, 'fuzz.json');
        } catch (err) {
          expect(err).toBeInstanceOf(HardwareError);
          return;
        }
        await inspectRegistration(file).catch((err: unknown) => expect(err).toBeInstanceOf(HardwareError));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the client transport against a device sending garbage', () => {
  it('ends every request with an answer or a typed error, never hanging', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 0, maxLength: 70 }), { maxLength: 6 }), fc.boolean(), async (garbage, onOurChannel) => {
        const CID = 0x0a0b0c0d;
        const device = new ScriptedHidDevice();
        device.onReport = (_r, frame) => {
          if (answerInit(device, CID, frame)) return;
          if (frame.kind !== 'init' || frame.cmd !== CtapHidCmd.CBOR) return;
          for (const g of garbage) {
            const report = new Uint8Array(g.length === 64 ? 64 : g.length);
            report.set(g);
            if (onOurChannel && report.length >= 4) new DataView(report.buffer).setUint32(0, CID);
            device.send(report);
          }
        };
        const conn = await CtapHidConnection.open(device, { timeoutMs: 2000, busyTimeoutMs: 60, busyRetryDelayMs: 5 });
        const result = await conn.cbor(Uint8Array.of(4), { timeoutMs: 30 }).then(
          () => 'answer',
          (err: unknown) => err,
        );
        if (result !== 'answer') expect(result).toBeInstanceOf(HardwareError);
        await conn.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe('the virtual authenticator against a platform sending garbage', () => {
  it('answers any CTAP2 request bytes with a status byte, never throwing', async () => {
    const profile = await loadBuiltinProfile('breakglass-virtual');
    const presence = new UserPresence({ kind: 'immediate' });
    const auth = new VirtualAuthenticator({ profile, presence, pin: '1234' });
    const ctx = { signal: new AbortController().signal, setStatus: () => undefined };
    const command = fc.constantFrom(0x01, 0x02, 0x04, 0x06, 0x07, 0x08, 0x0b, 0x0c, 0x41);
    const request = fc.oneof(
      fc.uint8Array({ maxLength: 100 }),
      fc.tuple(command, ctapMap).map(([c, m]) => Uint8Array.from([c, ...encodeCbor(m)])),
      fc.tuple(command, fc.uint8Array({ maxLength: 60 })).map(([c, b]) => Uint8Array.from([c, ...b])),
    );
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const response = await auth.handle(req, ctx);
        expect(response.length).toBeGreaterThanOrEqual(1);
        // 0x7F (ERR_OTHER) is what an internal exception would become: bad input must get a specific status.
        expect(response[0]).not.toBe(0x7f);
        if (response[0] === 0 && response.length > 1) decodeCbor(response.subarray(1));
      }),
      { numRuns: 1500 },
    );
    // Still a working key afterwards (noise may legitimately have reset it: 0x07 within 10 s of power-up, touched).
    const info = await auth.handle(Uint8Array.of(0x04), ctx);
    expect(info[0]).toBe(0);
    expect(decodeGetInfo(decodeCbor(info.subarray(1)) as CborMap).aaguid).toBe(profile.info.aaguid);
  });

  it('survives any sequence of raw HID reports', () => {
    const emitted: Uint8Array[] = [];
    const hid = new VirtualCtapHid({ handle: async () => Uint8Array.of(0) }, (r) => emitted.push(r), {
      deviceVersion: { major: 1, minor: 0, build: 0 },
      capabilities: 0x0d,
      messageTimeoutMs: 5,
    });
    const report = fc.oneof(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.tuple(fc.constantFrom(0xffffffff, 0, 1, 0x11223344), fc.integer({ min: 0, max: 0xff }), fc.uint8Array({ maxLength: 90 })).map(([cid, cmd, p]) =>
        encodeFrames(cid, cmd & 0x7f, p)[0]!,
      ),
    );
    fc.assert(
      fc.property(fc.array(report, { maxLength: 30 }), (reports) => {
        for (const r of reports) hid.receive(r);
        for (const e of emitted.splice(0)) expect(e.length).toBe(64);
      }),
      { numRuns: 500 },
    );
    hid.reset();
  });
});
