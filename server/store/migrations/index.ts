// Every migration, in order. Names sort lexically; never rename or edit a migration that has shipped — add one.
import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import * as m0001 from './0001-audit-log.ts';
import * as m0100 from './0100-auth.ts';
import * as m0200 from './0200-emergency-accounts.ts';
import * as m0300 from './0300-key-inventory.ts';
import * as m0400 from './0400-drills-and-monitoring.ts';
import * as m0500 from './0500-monitor-behind-since.ts';

export interface AppMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

export const migrations: Record<string, AppMigration> = {
  '0001-audit-log': m0001,
  '0100-auth': m0100,
  '0200-emergency-accounts': m0200,
  '0300-key-inventory': m0300,
  '0400-drills-and-monitoring': m0400,
  '0500-monitor-behind-since': m0500,
};
