// The Directory contract: behaviour every Directory must show, written once and run against the simulated tenant
// and, when configured, a real tenant (directory-contract.test.ts). It only assumes what a target describes about
// itself (ids of an emergency account, whether writes are allowed), so it holds for both.
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../../server/graph/directory.ts';
import { GraphNotFoundError } from '../../../server/graph/graph-errors.ts';
import { ODATA_TYPE, ROLE_TEMPLATE } from '../../../server/graph/graph-types.ts';

export interface ContractTarget {
  name: string;
  directory: () => Directory;
  /** An emergency account that holds Global Administrator and is in scope of the TAP policy. */
  accountId: string;
  accountUpn: string;
  /** Instant from which sign-in records are expected for that account. */
  signInsSince: string;
  /** Whether TAP creation/deletion may run (always in the simulator; opt-in on a real tenant). */
  allowWrites: boolean;
  /** Mailbox and recipient for sendMail, when mail may be sent. */
  mail?: { from: string; to: string };
  /**
   * Set when the target is the simulated tenant: its state, to check what a call did (the mail it accepted) and what
   * its fixture is known to hold (directory audits since signInsSince).
   */
  simulator?: () => { sentMail: readonly { from: string; message: Record<string, unknown> }[] };
  /** Why writes or mail are off for this target, printed when those tests are skipped (defaults say what to set). */
  skipReasons?: { writes?: string; mail?: string };
}

export function directoryContract(target: ContractTarget): void {
  describe(`Directory contract: ${target.name}`, () => {
    const dir = () => target.directory();
    /** `it`, or a skip that says why — in the test's name and on the console, never silently. */
    const itWhen = (run: boolean, reason: string, title: string, fn: () => Promise<void>) => {
      if (run) return it(title, fn);
      console.warn(`[directory contract] ${target.name}: "${title}" SKIPPED: ${reason}`);
      return it.skip(`${title} — SKIPPED (${reason})`, fn);
    };

    it('reads a user by object id and by userPrincipalName', async () => {
      const byId = await dir().getUser(target.accountId);
      const byUpn = await dir().getUser(target.accountUpn);
      expect(byId.id.toLowerCase()).toBe(target.accountId.toLowerCase());
      expect(byUpn.id).toBe(byId.id);
      expect(byUpn.userPrincipalName.toLowerCase()).toBe(target.accountUpn.toLowerCase());
      expect(byId).not.toHaveProperty('signInActivity');
    });

    it('reads signInActivity only when asked', async () => {
      const u = await dir().getUser(target.accountId, { withSignInActivity: true });
      expect(u).toHaveProperty('signInActivity');
    });

    it('answers an unknown user with GraphNotFoundError carrying a request id', async () => {
      const err = await dir().getUser('00000000-0000-4000-8000-00000000dead').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GraphNotFoundError);
      expect((err as GraphNotFoundError).requestId).toBeTruthy();
      expect((err as GraphNotFoundError).message).toMatch(/request-id/);
    });

    it('lists the account\'s directory roles, groups and the Global Administrator assignments', async () => {
      const roles = await dir().listUserDirectoryRoles(target.accountId);
      expect(roles.map((r) => r.roleTemplateId)).toContain(ROLE_TEMPLATE.globalAdministrator);
      const groups = await dir().listUserTransitiveGroups(target.accountId);
      expect(Array.isArray(groups)).toBe(true);
      for (const g of groups) expect(typeof g.id).toBe('string');
      const assignments = await dir().listRoleAssignments(ROLE_TEMPLATE.globalAdministrator);
      expect(assignments.map((a) => a.principalId.toLowerCase())).toContain(target.accountId.toLowerCase());
    });

    it('reads the TAP and FIDO2 policies', async () => {
      const tap = await dir().getTapPolicy();
      expect(tap.id.toLowerCase()).toBe('temporaryaccesspass');
      expect(['enabled', 'disabled']).toContain(tap.state);
      expect(tap.minimumLifetimeInMinutes).toBeLessThanOrEqual(tap.maximumLifetimeInMinutes);
      const fido2 = await dir().getFido2Policy();
      expect(fido2.id.toLowerCase()).toBe('fido2');
      expect(typeof fido2.isSelfServiceRegistrationAllowed).toBe('boolean');
      expect(['allow', 'block']).toContain(fido2.keyRestrictions.enforcementType);
    });

    it('lists authentication methods polymorphically and FIDO2 methods with their AAGUIDs', async () => {
      const all = await dir().listAuthenticationMethods(target.accountId);
      for (const m of all) expect(m['@odata.type']).toMatch(/^#microsoft\.graph\./);
      const keys = await dir().listFido2Methods(target.accountId);
      for (const k of keys) {
        expect(k.aaGuid ?? '').toMatch(/^[0-9a-f-]{36}$/i);
        const same = await dir().getFido2Method(target.accountId, k.id);
        expect(same.id).toBe(k.id);
      }
      expect(all.filter((m) => m['@odata.type'] === ODATA_TYPE.fido2).length).toBe(keys.length);
    });

    it('lists conditional access policies with user conditions', async () => {
      const policies = await dir().listConditionalAccessPolicies();
      for (const p of policies) {
        expect(typeof p.displayName).toBe('string');
        expect(Array.isArray(p.conditions.users.includeUsers)).toBe(true);
      }
    });

    it('reads beta sign-ins for the account, newest first, each with authenticationDetails', async () => {
      const signIns = await dir().listSignIns({ userIds: [target.accountId], since: target.signInsSince, pageSize: 50 });
      for (const s of signIns) {
        expect(s.userId.toLowerCase()).toBe(target.accountId.toLowerCase());
        expect(Array.isArray(s.authenticationDetails)).toBe(true);
        expect(Date.parse(s.createdDateTime)).toBeGreaterThanOrEqual(Date.parse(target.signInsSince));
      }
      const times = signIns.map((s) => s.createdDateTime);
      expect([...times].sort().reverse()).toEqual(times);
    });

    it('reads directory audits filtered by time', async () => {
      const audits = await dir().listDirectoryAudits({ since: target.signInsSince, loggedByService: 'Authentication Methods', pageSize: 50, maxRecords: 200 });
      // The simulated tenant's fixture holds such audits, so an empty answer there is a failure, not a pass.
      if (target.simulator) expect(audits.length).toBeGreaterThan(0);
      for (const a of audits) expect(Date.parse(a.activityDateTime)).toBeGreaterThanOrEqual(Date.parse(target.signInsSince));
    });

    it('batches more than 20 reads and answers in request order', async () => {
      const requests = Array.from({ length: 23 }, (_, i) => ({ id: `r${i}`, method: 'GET' as const, url: i % 2 ? `/users/${target.accountId}?$select=id` : '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass' }));
      const responses = await dir().batch(requests);
      expect(responses.map((r) => r.id)).toEqual(requests.map((r) => r.id));
      for (const r of responses) expect(r.status).toBe(200);
    });

    it('reads a posture snapshot for the account', async () => {
      const p = await dir().readPosture([target.accountId]);
      expect(p.accounts).toHaveLength(1);
      expect(p.accounts[0]!.user?.id.toLowerCase()).toBe(target.accountId.toLowerCase());
      expect(p.globalAdministratorIds.map((id) => id.toLowerCase())).toContain(target.accountId.toLowerCase());
      expect(p.tapPolicy.id.toLowerCase()).toBe('temporaryaccesspass');
    });

    itWhen(target.allowWrites, target.skipReasons?.writes ?? 'writes are not allowed on this target', 'issues a TAP once, hides its value afterwards, replaces it with a new one, and revokes it', async () => {
      const first = await dir().createTemporaryAccessPass(target.accountId, {});
      expect(first.method.temporaryAccessPass.length).toBeGreaterThanOrEqual(8);
      const listed = await dir().listTemporaryAccessPasses(target.accountId);
      expect(listed.map((m) => m.id)).toContain(first.method.id);
      for (const m of listed) expect(m.temporaryAccessPass ?? null).toBeNull();
      const second = await dir().createTemporaryAccessPass(target.accountId, {});
      const after = await dir().listTemporaryAccessPasses(target.accountId);
      expect(after.map((m) => m.id)).toEqual([second.method.id]);
      await dir().deleteTemporaryAccessPass(target.accountId, second.method.id);
      expect(await dir().listTemporaryAccessPasses(target.accountId)).toEqual([]);
      // Deleting again is not an error: the wanted state holds.
      await dir().deleteTemporaryAccessPass(target.accountId, second.method.id);
    });

    itWhen(Boolean(target.mail), target.skipReasons?.mail ?? 'no mailbox configured for this target', 'sends mail (202 Accepted)', async () => {
      const subject = `breakglass contract test ${Date.now().toString(36)}`;
      const before = target.simulator?.().sentMail.length ?? 0;
      // Resolves only on 202 Accepted; any other answer throws a typed Graph error.
      await dir().sendMail({
        from: target.mail!.from,
        message: { subject, body: { contentType: 'Text', content: 'Contract test mail; no action needed.' }, toRecipients: [{ emailAddress: { address: target.mail!.to } }] },
      });
      if (target.simulator) {
        // The simulator accepted exactly this one message, from the mailbox asked for, to the recipient asked for.
        const sent = target.simulator().sentMail.slice(before);
        expect(sent).toHaveLength(1);
        expect(sent[0]!.from.toLowerCase()).toBe(target.mail!.from.toLowerCase());
        expect(sent[0]!.message).toMatchObject({ subject, toRecipients: [{ emailAddress: { address: target.mail!.to } }] });
      }
    });
  });
}
