// Officers with passkeys on virtual security keys, registered through breakglass's own AuthService (bootstrap for the
// first admin, invites for the others) exactly as the web front end does — so the CLI can prove them over "USB".
import { SecurityKey, VirtualSecurityKey, createCredential, type CreationOptionsJSON } from '../../../hardware/index.ts';
import { AuthService } from '../../../server/auth/auth-service.ts';
import { RelyingParty } from '../../../server/auth/relying-party.ts';
import type { Role } from '../../../server/auth/roles.ts';
import type { Runtime } from '../../../server/runtime.ts';

export const OFFICER_PIN = '864209';

export interface TestOfficer {
  id: string;
  username: string;
  actor: string;
  key: VirtualSecurityKey;
}

export function authServiceFor(runtime: Runtime): AuthService {
  const s = runtime.config.auth;
  const rp = new RelyingParty({ rpId: s.rpId, rpName: s.rpName, origin: () => s.origin, challengeSeconds: s.challengeSeconds, allowedAaguids: s.allowedAaguids });
  return new AuthService({ database: runtime.database, audit: runtime.audit, clock: runtime.clock, settings: s, rp, dataDir: runtime.config.storage.dataDir });
}

async function register(runtime: Runtime, vk: VirtualSecurityKey, options: unknown) {
  const key = await SecurityKey.open(vk.open(), { descriptor: vk.descriptor });
  try {
    return await createCredential(key, options as CreationOptionsJSON, { origin: runtime.config.auth.origin, pin: OFFICER_PIN });
  } finally {
    await key.close();
  }
}

/** Bootstraps `admin` then invites the others; returns each with its virtual key. */
export async function createOfficers(runtime: Runtime, cast: { username: string; role: Role }[]): Promise<Record<string, TestOfficer>> {
  const auth = authServiceFor(runtime);
  const notice = await auth.ensureBootstrap();
  const out: Record<string, TestOfficer> = {};
  let adminView: Awaited<ReturnType<AuthService['bootstrapVerify']>>['officer'] | undefined;
  for (const [i, c] of cast.entries()) {
    const vk = await VirtualSecurityKey.load('breakglass-virtual', { pin: OFFICER_PIN });
    if (i === 0) {
      const start = await auth.bootstrapOptions({ code: notice!.code, username: c.username, displayName: c.username });
      const res = await auth.bootstrapVerify({ ceremonyId: start.ceremonyId, response: (await register(runtime, vk, start.options)) as never, passkeyName: `${c.username} key` }, 'test');
      adminView = res.officer;
      out[c.username] = { id: res.officer.id, username: c.username, actor: `officer:${res.officer.id}`, key: vk };
    } else {
      const { token } = await auth.createInvite(adminView!, { displayName: c.username, role: c.role });
      const start = await auth.inviteOptions({ token, username: c.username, displayName: c.username });
      const res = await auth.inviteVerify({ ceremonyId: start.ceremonyId, response: (await register(runtime, vk, start.options)) as never, passkeyName: `${c.username} key` }, 'test');
      out[c.username] = { id: res.officer.id, username: c.username, actor: `officer:${res.officer.id}`, key: vk };
    }
  }
  return out;
}
