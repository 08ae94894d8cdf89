// The log's identity: its origin (the checkpoint's first line, also the signing key's name) and its Ed25519 key.
// Fixed on first start and recorded in the log itself (entry `audit.initialized`), so a later change of origin or
// key is refused instead of silently producing checkpoints nobody can tie to the earlier ones.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AuditSettings } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { Database } from '../store/database.ts';
import type { AuditLog } from './audit-log.ts';
import { formatVerifierKey, isValidKeyName, signerFromPrivateKey, type NoteSigner } from './signed-note.ts';
import { loadOrCreateSigningKey, SigningKeyError } from './signing-key.ts';

export interface AuditIdentity {
  origin: string;
  signer: NoteSigner;
  /** `<origin>+<key id>+<base64 key>`: give this to auditors to pin. */
  verifierKey: string;
  keyCreated: boolean;
}

export async function readMeta(database: Database, key: string): Promise<string | undefined> {
  const row = await database.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function initAuditIdentity(log: AuditLog, settings: AuditSettings): Promise<AuditIdentity> {
  const storedOrigin = await readMeta(log.database, 'audit.origin');
  if (storedOrigin !== undefined) {
    // An existing log: its key must be there. Never create one here — a fresh key at a mistyped or emptied path
    // would sit where the real one should be.
    if (!existsSync(settings.signingKeyPath)) {
      throw new SigningKeyError(
        `the audit signing key ${settings.signingKeyPath} is missing, and this log (${storedOrigin}) was started with it; restore the key file from your backup (or fix BREAKGLASS_AUDIT_SIGNING_KEY)`,
      );
    }
    const { key, created } = loadOrCreateSigningKey(settings.signingKeyPath);
    if (settings.origin !== undefined && settings.origin !== storedOrigin) {
      throw new ConfigError([`BREAKGLASS_AUDIT_ORIGIN (config file: audit.origin): this log's origin is "${storedOrigin}" and cannot change; remove the setting or set it to that value`]);
    }
    const signer = signerFromPrivateKey(storedOrigin, key);
    const verifierKey = formatVerifierKey(signer);
    const storedKey = await readMeta(log.database, 'audit.verifier_key');
    if (storedKey !== verifierKey) {
      throw new SigningKeyError(
        `the audit signing key ${settings.signingKeyPath} is not the key this log was started with (expected ${storedKey ?? 'none recorded'}); restore the original key file`,
      );
    }
    return { origin: storedOrigin, signer, verifierKey, keyCreated: created };
  }
  const { key, created } = loadOrCreateSigningKey(settings.signingKeyPath);
  const origin = settings.origin ?? `breakglass.local/${randomBytes(4).toString('hex')}/audit`;
  if (!isValidKeyName(origin)) throw new ConfigError([`audit origin ${JSON.stringify(origin)} must be non-empty with no spaces or "+"`]);
  const signer = signerFromPrivateKey(origin, key);
  const verifierKey = formatVerifierKey(signer);
  await log.change(async (tx, audit) => {
    await tx
      .insertInto('meta')
      .values([
        { key: 'audit.origin', value: origin },
        { key: 'audit.verifier_key', value: verifierKey },
      ])
      .execute();
    audit.record({ actor: 'system', action: 'audit.initialized', subject: 'audit', data: { origin, verifierKey, keyCreated: created } });
  });
  return { origin, signer, verifierKey, keyCreated: created };
}
