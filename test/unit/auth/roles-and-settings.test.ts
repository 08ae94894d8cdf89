// What each role may do, and the auth settings: the RP ID comes from the public URL (never an IP), timeouts have
// sane bounds, and every bad value is one clear line.
import { describe, expect, test } from 'vitest';
import { can, permissionsOf, ROLES } from '../../../server/auth/roles.ts';
import { loadConfig } from '../../../server/config.ts';
import { ConfigError } from '../../../server/errors.ts';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ env, cwd: '/srv/bg' });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('roles', () => {
  test('admins manage officers; officers operate; auditors read, the audit log included', () => {
    expect(permissionsOf('admin').sort()).toEqual(['accounts.operate', 'accounts.read', 'audit.read', 'drills.operate', 'enrollment.approve', 'enrollment.request', 'incidents.classify', 'officers.manage', 'reports.read', 'reports.send']);
    expect(permissionsOf('officer').sort()).toEqual(['accounts.operate', 'accounts.read', 'drills.operate', 'enrollment.approve', 'enrollment.request', 'incidents.classify', 'reports.read', 'reports.send']);
    expect(permissionsOf('auditor').sort()).toEqual(['accounts.read', 'audit.read', 'reports.read']);
  });

  test('no role but admin manages officers, and auditors change nothing', () => {
    expect(ROLES.filter((r) => can(r, 'officers.manage'))).toEqual(['admin']);
    expect(can('auditor', 'accounts.operate')).toBe(false);
    expect(can('officer', 'audit.read')).toBe(false);
  });
});

describe('auth settings', () => {
  test('defaults: RP ID and origin from the public URL, 15-minute idle, 8-hour sessions, 5-minute step-up', () => {
    const c = loadConfig({ env: {}, cwd: '/srv/bg' });
    expect(c.auth).toMatchObject({
      rpId: 'localhost',
      origin: 'http://localhost:3000',
      secureCookies: false,
      idleTimeoutMinutes: 15,
      absoluteTimeoutHours: 8,
      stepUpMinutes: 5,
      challengeSeconds: 120,
      inviteHours: 72,
      rateLimitPerMinute: 30,
      allowedAaguids: [],
    });
  });

  test('a https public URL turns on Secure cookies; a parent domain may be the RP ID', () => {
    const c = loadConfig({ env: { BREAKGLASS_PUBLIC_URL: 'https://bg.corp.example.org', BREAKGLASS_RP_ID: 'corp.example.org' }, cwd: '/srv/bg' });
    expect(c.auth).toMatchObject({ rpId: 'corp.example.org', origin: 'https://bg.corp.example.org', secureCookies: true });
  });

  test('an IP address, an unrelated RP ID, bad timeouts and a bad AAGUID list are each reported', () => {
    expect(problems({ BREAKGLASS_PUBLIC_URL: 'http://10.0.0.5:3000' })).toEqual([
      'BREAKGLASS_RP_ID (config file: auth.rpId): passkeys need a host name, not the IP address "10.0.0.5"; set BREAKGLASS_PUBLIC_URL to a name (e.g. http://localhost:3000)',
    ]);
    expect(problems({ BREAKGLASS_PUBLIC_URL: 'https://bg.example.org', BREAKGLASS_RP_ID: 'other.org', BREAKGLASS_STEP_UP_MINUTES: '60', BREAKGLASS_PASSKEY_AAGUIDS: 'yubikey' })).toEqual([
      'BREAKGLASS_RP_ID (config file: auth.rpId): must be the public URL\'s host (bg.example.org) or a parent domain of it, got "other.org"',
      'BREAKGLASS_PASSKEY_AAGUIDS (config file: auth.allowedAaguids): must be a comma-separated list (or JSON array) of AAGUIDs like 2fc0579f-8113-47ea-b116-bb5a8db9202a',
      'BREAKGLASS_STEP_UP_MINUTES (config file: auth.stepUpMinutes): must be a whole number from 1 to 15, got "60"',
    ]);
  });

  test('an AAGUID allow-list is read from a comma-separated variable', () => {
    const c = loadConfig({ env: { BREAKGLASS_PASSKEY_AAGUIDS: '2FC0579F-8113-47EA-B116-BB5A8DB9202A, ee882879-721c-4913-9775-3dfcce97072a' }, cwd: '/srv/bg' });
    expect(c.auth.allowedAaguids).toEqual(['2fc0579f-8113-47ea-b116-bb5a8db9202a', 'ee882879-721c-4913-9775-3dfcce97072a']);
  });
});
