// The auditor's audit-log API: newest-first pages that chain with nextBefore, filters by actor, action (exact or
// `prefix.*`) and subject, and a verification status that turns red when a row is edited behind the service's back.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tamper } from '../../helpers/audit-fixture.ts';
import { createBackend, type Backend } from '../../helpers/backends.ts';
import { openHarness, signedInCast, type Browser, type Harness } from './auth-harness.ts';

let b: Backend;
let h: Harness;
let auditor: Browser;
let adminId: string;

beforeAll(async () => {
  b = await createBackend('sqlite');
  h = await openHarness(b);
  const cast = await signedInCast(h);
  auditor = cast.auditor;
  adminId = (await cast.admin.request('GET', '/api/auth/session')).json().officer.id;
  await h.runtime.checkpointer.checkpoint();
});
afterAll(async () => {
  await h.close();
  await b.dispose();
});

interface Entry {
  seq: number;
  actor: string;
  action: string;
  subject: string;
  data: Record<string, unknown>;
}

describe('audit log view', () => {
  test('pages newest first and the pages join up without gaps or repeats', async () => {
    const { total } = (await auditor.request('GET', '/api/audit/entries?limit=1')).json();
    const seqs: number[] = [];
    let before: number | null = null;
    do {
      const page = (await auditor.request('GET', `/api/audit/entries?limit=4${before ? `&before=${before}` : ''}`)).json() as { entries: Entry[]; nextBefore: number | null };
      seqs.push(...page.entries.map((e) => e.seq));
      before = page.nextBefore;
    } while (before !== null);
    expect(seqs.length).toBe(total); // reading is not audited, so the log did not grow while paging
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)).toBe(0);
  });

  test('filters by action prefix, exact action, actor and subject', async () => {
    const auth = (await auditor.request('GET', '/api/audit/entries?action=auth.*&limit=200')).json().entries as Entry[];
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((e) => e.action.startsWith('auth.'))).toBe(true);
    const invited = (await auditor.request('GET', '/api/audit/entries?action=officer.invited')).json().entries as Entry[];
    expect(invited.map((e) => e.data.role)).toEqual(['auditor', 'officer']);
    const byAdmin = (await auditor.request('GET', `/api/audit/entries?actor=officer:${adminId}&limit=200`)).json().entries as Entry[];
    expect(byAdmin.length).toBeGreaterThan(0);
    expect(byAdmin.every((e) => e.actor === `officer:${adminId}`)).toBe(true);
    const aboutAdmin = (await auditor.request('GET', `/api/audit/entries?subject=officer:${adminId}&action=officer.created`)).json().entries as Entry[];
    expect(aboutAdmin).toHaveLength(1);
    expect(aboutAdmin[0]!.data).toMatchObject({ username: 'alice', role: 'admin', createdBy: 'bootstrap' });
  });

  test('verification is green on an intact log and shows the latest signed checkpoint', async () => {
    const v = (await auditor.request('GET', '/api/audit/verification')).json();
    expect(v).toMatchObject({ ok: true, problems: [], firstBadSeq: null, latestCheckpoint: { treeSize: expect.any(Number), note: expect.stringContaining('\n\n— ') } });
    expect(v.entries).toBe((await h.runtime.audit.head()).size);
    // The checkpoint row and its copy in checkpoints.jsonl: both signatures verify.
    expect(v.checkpoints).toMatchObject({ total: 2, verified: 2, latest: { treeSize: v.latestCheckpoint.treeSize } });
  });

  test('an edited row turns verification red and names the row', async () => {
    const [victim] = await h.runtime.audit.entries({ limit: 1, action: 'officer.invited' });
    await tamper(b, [`UPDATE audit_entry SET record = replace(record, 'Test auditor', 'Test hacker') WHERE seq = ${victim!.seq}`]);
    h.clock.advance(61_000); // past the verification cache
    const v = (await auditor.request('GET', '/api/audit/verification')).json();
    expect(v.ok).toBe(false);
    expect(v.firstBadSeq).toBe(victim!.seq);
    expect(v.problems[0]).toMatchObject({ kind: 'edited', seq: victim!.seq });
  });
});
