// Reading sign-in records as drill evidence and as incidents: method names matched tolerantly (old, new and report
// spellings), a phone or synced passkey not counting as the key from the safe, every reason a record fails to prove a
// drill, and which records are drill activity, incidents (one per attempt) or method changes.
import { describe, expect, it } from 'vitest';
import { checkDrillSignIn, decideEvidence, methodKind } from '../../../server/domain/sign-in-evidence.ts';
import { classificationsFor, classifyDirectoryAudit, classifySignIn } from '../../../server/domain/incident-rules.ts';
import type { GraphDirectoryAudit, GraphSignIn } from '../../../server/graph/graph-types.ts';

const W = { start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T15:00:00.000Z' };

function signIn(over: Partial<GraphSignIn> & { methods?: [string, boolean][] } = {}): GraphSignIn {
  const { methods = [['Passkey (device-bound)', true]], ...rest } = over;
  return {
    id: 'id-1', createdDateTime: '2026-03-02T14:10:00.000Z', userId: 'u1', userPrincipalName: 'bg@contoso.onmicrosoft.com',
    correlationId: 'corr-1', appDisplayName: 'Azure Portal', status: { errorCode: 0 },
    authenticationDetails: methods.map(([authenticationMethod, succeeded]) => ({ authenticationMethod, succeeded, authenticationStepResultDetail: succeeded ? 'ok' : 'Authentication failed' })),
    ...rest,
  } as GraphSignIn;
}

describe('methodKind', () => {
  it.each([
    ['Passkey (device-bound)', 'security_key'],
    ['FIDO2 security key', 'security_key'],
    ['passKeyDeviceBound', 'security_key'],
    ['fido2', 'security_key'],
    ['Security key', 'security_key'],
    ['PASSKEY_DEVICE_BOUND', 'security_key'],
    ['Passkey (Microsoft Authenticator)', 'other_passkey'],
    ['Passkey (synced)', 'other_passkey'],
    ['passKeySynced', 'other_passkey'],
    ['Windows Hello for Business', 'windows_hello'],
    ['X.509 Certificate', 'certificate'],
    ['Temporary Access Pass', 'other'],
    ['Password', 'other'],
    ['Previously satisfied', 'other'],
    [null, 'other'],
  ])('%s → %s', (name, kind) => expect(methodKind(name)).toBe(kind));
});

describe('checkDrillSignIn', () => {
  it('accepts a successful key sign-in inside the window and says what it proved', () => {
    expect(checkDrillSignIn(signIn(), W)).toEqual({
      signInId: 'id-1', createdDateTime: '2026-03-02T14:10:00.000Z', ok: true, methods: ['Passkey (device-bound)'],
      reasons: ['successful sign-in at 2026-03-02T14:10:00.000Z with "Passkey (device-bound)" inside the drill window'],
    });
  });

  it('lists every reason a record does not prove the drill', () => {
    const r = checkDrillSignIn(signIn({ status: { errorCode: 500121, failureReason: 'Authentication failed during strong authentication request.' }, createdDateTime: '2026-03-02T15:00:01.000Z', methods: [['Passkey (device-bound)', false]] }), W);
    expect(r.ok).toBe(false);
    expect(r.reasons).toEqual([
      'the sign-in failed (error 500121: Authentication failed during strong authentication request.)',
      'it happened at 2026-03-02T15:00:01.000Z, outside the drill window 2026-03-02T14:00:00.000Z – 2026-03-02T15:00:00.000Z',
      'the security key step did not succeed (Authentication failed)',
    ]);
    const v1 = signIn();
    delete v1.authenticationDetails;
    expect(checkDrillSignIn(v1, W).reasons).toEqual(['the record has no authenticationDetails (only the beta sign-in API reports the method used)']);
  });
});

describe('decideEvidence', () => {
  it('is verified by the earliest passing record, rejected when records prove nothing, not_seen when there are none', () => {
    const bad = signIn({ id: 'a', createdDateTime: '2026-03-02T14:05:00.000Z', methods: [['Password', true]] });
    const good = signIn({ id: 'b', createdDateTime: '2026-03-02T14:20:00.000Z' });
    const good2 = signIn({ id: 'c', createdDateTime: '2026-03-02T14:30:00.000Z' });
    const outside = signIn({ id: 'd', createdDateTime: '2026-03-02T16:00:00.000Z' });
    const v = decideEvidence([good2, bad, good, good, outside], W);
    expect([v.verdict, v.match?.id, v.checks.map((c) => c.signInId)]).toEqual(['verified', 'b', ['a', 'b', 'c']]);
    expect(decideEvidence([bad, outside], W)).toMatchObject({ verdict: 'rejected', match: undefined, reasons: ['a: no FIDO2 security key / device-bound passkey step (methods: Password)'] });
    expect(decideEvidence([outside], W).verdict).toBe('not_seen');
  });
});

describe('classifySignIn', () => {
  const windows = [{ drillId: 'd1', ...W }];
  it('is drill activity inside an announced window, success or failure', () => {
    expect(classifySignIn(signIn(), { upn: 'bg@x' }, windows)).toEqual({ disposition: 'drill', drillId: 'd1' });
    expect(classifySignIn(signIn({ status: { errorCode: 50126 } }), { upn: 'bg@x' }, windows)).toEqual({ disposition: 'drill', drillId: 'd1' });
  });
  it('is an incident outside any window: critical for a sign-in, a warning for a failed attempt, keyed by the attempt', () => {
    const s = classifySignIn(signIn({ createdDateTime: '2026-03-03T09:00:00.000Z', ipAddress: '203.0.113.5' }), { upn: 'bg@x' }, windows);
    expect(s).toMatchObject({ disposition: 'incident', incident: { kind: 'sign_in', severity: 'critical', dedupeKey: 'sign-in:corr-1', title: 'Emergency account bg@x signed in outside any drill window' } });
    const f = classifySignIn(signIn({ createdDateTime: '2026-03-03T09:00:00.000Z', status: { errorCode: 50126 }, correlationId: null }), { upn: 'bg@x' }, []);
    expect(f).toMatchObject({ disposition: 'incident', incident: { kind: 'failed_sign_in', severity: 'warning', dedupeKey: 'sign-in:id-1' } });
  });
});

describe('classifyDirectoryAudit', () => {
  const audit = (over: Partial<GraphDirectoryAudit>): GraphDirectoryAudit => ({
    id: 'Directory_1', activityDateTime: '2026-03-03T09:00:00.000Z', activityDisplayName: 'Admin registered security info', category: 'UserManagement',
    loggedByService: 'Authentication Methods', operationType: 'Add', result: 'success', resultReason: 'Admin registered Passkey (device-bound) method for user',
    initiatedBy: { user: { userPrincipalName: 'mallory@contoso.com' } }, targetResources: [{ id: 'U1', userPrincipalName: 'bg@x', type: 'User' }],
    ...over,
  } as GraphDirectoryAudit);
  const users = new Set(['u1']);
  it('turns a method added, removed or changed on an emergency account into an incident', () => {
    expect(classifyDirectoryAudit(audit({}), users)).toMatchObject({ userId: 'u1', incident: { kind: 'method_added', severity: 'critical', dedupeKey: 'audit:Directory_1', title: 'passkey / FIDO2 key added to emergency account bg@x by mallory@contoso.com' } });
    expect(classifyDirectoryAudit(audit({ operationType: 'Delete', activityDisplayName: 'Admin deleted security info', resultReason: 'Admin deleted temporary access pass method for user' }), users)?.incident).toMatchObject({ kind: 'method_removed', title: expect.stringMatching(/^Temporary Access Pass removed from/) });
    expect(classifyDirectoryAudit(audit({ operationType: 'Update', result: 'failure' }), users)?.incident).toMatchObject({ kind: 'method_changed', severity: 'warning', title: expect.stringMatching(/^Failed attempt: /) });
  });
  it('ignores other users and unrelated activity', () => {
    expect(classifyDirectoryAudit(audit({ targetResources: [{ id: 'someone-else' }] }), users)).toBeUndefined();
    expect(classifyDirectoryAudit(audit({ loggedByService: 'Core Directory', activityDisplayName: 'Update group' }), users)).toBeUndefined();
  });
  it('offers the classifications that fit', () => {
    expect(classificationsFor('sign_in')).toEqual(['drill', 'emergency', 'misuse']);
    expect(classificationsFor('method_added')).toEqual(['authorized_change', 'emergency', 'misuse']);
  });
});
