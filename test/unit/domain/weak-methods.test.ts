// One table of weak or personal method types (server/domain/weak-methods.ts) drives both the readiness report and the
// reconcile drift, so the two cannot disagree about a method: a hardware OATH token is flagged by both.
import { describe, expect, it } from 'vitest';
import { keyDrift } from '../../../server/domain/key-drift.ts';
import { accountChecks, type AccountFacts } from '../../../server/domain/readiness.ts';
import { WEAK_METHODS, weakMethod } from '../../../server/domain/weak-methods.ts';

const now = new Date('2026-06-01T00:00:00.000Z');
const good: AccountFacts = {
  upn: 'bg-01@contoso.onmicrosoft.com', drillIntervalDays: 90,
  user: { userPrincipalName: 'bg-01@contoso.onmicrosoft.com', accountEnabled: true, userType: 'Member', onPremisesSyncEnabled: null },
  globalAdmin: 'direct',
  methods: [{ '@odata.type': '#microsoft.graph.passwordAuthenticationMethod', id: 'p' }, { '@odata.type': '#microsoft.graph.fido2AuthenticationMethod', id: 'k' }],
  fido2: [{ id: 'k', displayName: 'Key A', model: 'YubiKey 5', passkeyType: 'deviceBound' }],
  ca: { model: 'excluded', applying: [], reportOnly: [], blocking: [], wouldBlock: [] },
  lastPassedDrillAt: '2026-04-01T10:00:00.000Z', nextDueAt: '2026-06-30T10:00:00.000Z', openIncidents: 0,
};
const personalCheck = (f: AccountFacts) => accountChecks(f, now).find((c) => c.code === 'no_personal_device')!;

describe('weak or personal methods', () => {
  it('readiness flags a hardware OATH token on an emergency account', () => {
    expect(personalCheck(good).status).toBe('ok');
    const check = personalCheck({ ...good, methods: [...good.methods!, { '@odata.type': '#microsoft.graph.hardwareOathAuthenticationMethod', id: 'h', displayName: 'Token 1' }] });
    expect(check.status).toBe('problem');
    expect(check.detail).toContain('hardware OATH token "Token 1"');
  });

  it('readiness and reconcile flag exactly the same method types', () => {
    for (const type of Object.keys(WEAK_METHODS)) {
      const method = { '@odata.type': type, id: 'm1' };
      expect(personalCheck({ ...good, methods: [...good.methods!, method] }).status, type).toBe('problem');
      expect(keyDrift({ inventory: [], fido2Methods: [], methods: [method], expectedTapIds: [] }).map((f) => [f.code, f.kind]), type).toEqual([['weak_method', WEAK_METHODS[type]!.kind]]);
    }
    const strong = [...good.methods!, { '@odata.type': '#microsoft.graph.x509CertificateAuthenticationMethod', id: 'c' }];
    expect(personalCheck({ ...good, methods: strong }).status).toBe('ok');
    expect(keyDrift({ inventory: [], fido2Methods: [], methods: strong, expectedTapIds: [] })).toEqual([]);
  });

  it('looks up own entries only', () => {
    expect(weakMethod('#microsoft.graph.hardwareOathAuthenticationMethod')?.kind).toBe('hardware OATH');
    expect(weakMethod('toString')).toBeUndefined();
    expect(weakMethod('__proto__')).toBeUndefined();
  });
});
