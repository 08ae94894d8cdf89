// The request state machine and its four-eyes rules, and the drift rules of the reconcile job (pure functions).
import { describe, expect, it } from 'vitest';
import {
  OPEN_STATES,
  approvalRefusal,
  canTransition,
  ENROLLMENT_STATES,
  InvalidTransitionError,
  isExpired,
  isTerminal,
  nextState,
  runRefusal,
  TERMINAL_STATES,
  type EnrollmentEvent,
} from '../../../server/domain/enrollment-state.ts';
import { keyDrift, type InventoryKeyFacts } from '../../../server/domain/key-drift.ts';
import type { GraphAuthenticationMethod, GraphFido2Method } from '../../../server/graph/graph-types.ts';

describe('enrollment state machine', () => {
  it('an open request is one in any state that is not terminal: the six before completion', () => {
    expect(OPEN_STATES).toEqual(['requested', 'approved', 'tap_issuing', 'awaiting_registration', 'registering', 'key_registered']);
    expect([...OPEN_STATES, ...TERMINAL_STATES].sort()).toEqual([...ENROLLMENT_STATES].sort());
  });

  it('guided: requested → approved → tap_issuing → awaiting_registration → key_registered → completed', () => {
    const path: EnrollmentEvent[] = ['approve', 'begin_tap', 'tap_issued', 'key_found', 'complete'];
    let s = 'requested' as const as (typeof ENROLLMENT_STATES)[number];
    for (const e of path) s = nextState(s, e, 'guided');
    expect(s).toBe('completed');
  });

  it('direct: requested → approved → registering → key_registered → completed; modes do not mix', () => {
    let s = nextState('requested', 'approve', 'direct');
    expect(() => nextState(s, 'begin_tap', 'direct')).toThrow(InvalidTransitionError);
    s = nextState(s, 'begin_register', 'direct');
    s = nextState(nextState(s, 'key_created', 'direct'), 'complete', 'direct');
    expect(s).toBe('completed');
    expect(canTransition('approved', 'begin_register', 'guided')).toBe(false);
  });

  it('the only way back to approved from an issuing TAP is a confirmed "not issued"', () => {
    const from = ENROLLMENT_STATES.filter((s) => s === 'tap_issuing');
    for (const s of from) {
      const ev = (['approve', 'reject', 'cancel', 'expire', 'begin_tap', 'tap_issued', 'tap_not_issued', 'key_found', 'tap_expired', 'begin_register', 'key_created', 'register_not_applied', 'complete', 'fail'] as EnrollmentEvent[])
        .filter((e) => canTransition(s, e, 'guided') && nextState(s, e, 'guided') === 'approved');
      expect(ev).toEqual(['tap_not_issued']);
    }
  });

  it('terminal states accept nothing; a registered key can no longer be cancelled', () => {
    for (const s of TERMINAL_STATES) {
      expect(isTerminal(s)).toBe(true);
      for (const e of ['approve', 'cancel', 'fail', 'complete', 'expire'] as EnrollmentEvent[]) expect(canTransition(s, e, 'guided')).toBe(false);
    }
    expect(canTransition('key_registered', 'cancel', 'guided')).toBe(false);
    expect(canTransition('awaiting_registration', 'cancel', 'guided')).toBe(true);
  });

  it('only waiting requests lapse at their expiry', () => {
    const now = new Date('2026-11-02T10:00:00Z');
    expect(isExpired({ state: 'requested', expiresAt: '2026-11-02T10:00:00Z' }, now)).toBe(true);
    expect(isExpired({ state: 'approved', expiresAt: '2026-11-02T10:00:01Z' }, now)).toBe(false);
    expect(isExpired({ state: 'awaiting_registration', expiresAt: '2026-11-01T00:00:00Z' }, now)).toBe(false);
  });

  it('four eyes: the approver differs from the requester; only the requester runs', () => {
    const r = { requestedBy: 'officer:a', approvedBy: 'officer:b' };
    expect(approvalRefusal(r, 'officer:a')).toMatch(/four eyes/);
    expect(approvalRefusal(r, 'officer:b')).toBeUndefined();
    expect(runRefusal(r, 'officer:b')).toMatch(/only the officer who requested/);
    expect(runRefusal(r, 'officer:a')).toBeUndefined();
  });
});

describe('key drift', () => {
  const key = (over: Partial<InventoryKeyFacts> = {}): InventoryKeyFacts => ({ id: 'k1', status: 'active', graphMethodId: 'm1', aaguid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', displayName: 'BG key', ...over });
  const method = (over: Partial<GraphFido2Method> = {}): GraphFido2Method => ({ id: 'm1', displayName: 'BG key', aaGuid: '2fc0579f-8113-47ea-b116-bb5a8db9202a', model: 'YubiKey 5 Series with NFC', attestationLevel: 'attested', passkeyType: 'deviceBound', ...over });
  const codes = (f: ReturnType<typeof keyDrift>) => f.map((x) => x.code);

  it('no drift when inventory and Entra agree', () => {
    expect(keyDrift({ inventory: [key()], fido2Methods: [method()], methods: [], expectedTapIds: [] })).toEqual([]);
  });

  it('finds unknown and missing keys, changed AAGUIDs, and lost keys still registered', () => {
    expect(codes(keyDrift({ inventory: [], fido2Methods: [method()], methods: [], expectedTapIds: [] }))).toEqual(['unknown_key']);
    expect(codes(keyDrift({ inventory: [key()], fido2Methods: [], methods: [], expectedTapIds: [] }))).toEqual(['missing_key']);
    expect(codes(keyDrift({ inventory: [key()], fido2Methods: [method({ aaGuid: 'ee882879-721c-4913-9775-3dfcce97072a' })], methods: [], expectedTapIds: [] }))).toEqual(['aaguid_changed']);
    expect(codes(keyDrift({ inventory: [key({ status: 'lost' })], fido2Methods: [method()], methods: [], expectedTapIds: [] }))).toEqual(['inactive_key_registered']);
    expect(codes(keyDrift({ inventory: [key({ status: 'revoked' })], fido2Methods: [], methods: [], expectedTapIds: [] }))).toEqual([]);
  });

  it('flags weak and personal methods, synced and unattested keys, and stray usable TAPs', () => {
    const methods: GraphAuthenticationMethod[] = [
      { '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: 'p' },
      { '@odata.type': '#microsoft.graph.phoneAuthenticationMethod', id: 'ph' },
      { '@odata.type': '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod', id: 'ma' },
      { '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap-ours', isUsable: true },
      { '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap-stray', isUsable: true },
      { '@odata.type': '#microsoft.graph.temporaryAccessPassAuthenticationMethod', id: 'tap-used', isUsable: false },
    ];
    const f = keyDrift({ inventory: [key()], fido2Methods: [method({ passkeyType: 'synced', attestationLevel: 'notAttested' })], methods, expectedTapIds: ['tap-ours'] });
    expect(f.map((x) => `${x.code}:${x.methodId}:${x.severity}`)).toEqual([
      'synced_passkey:m1:problem', 'unattested_key:m1:warning', 'weak_method:ph:problem', 'weak_method:ma:problem', 'stray_tap:tap-stray:problem',
    ]);
    expect(f.find((x) => x.kind === 'phone')!.message).toContain('phone number');
  });
});
