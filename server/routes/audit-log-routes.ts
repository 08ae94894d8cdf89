// The auditor's view of the audit log: entries newest first, paged and filtered by actor, action (exact, or a prefix
// ending in `.*`) and subject; and the log's verification status (server/audit/audit-verifier.ts over the store, the
// same check as `breakglass audit verify`) with the latest signed checkpoint. Read-only; admins and auditors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkpointInputsFromCopyFile, checkpointInputsFromDb, entryBatches, storedCheckpoints } from '../audit/audit-source.ts';
import { verifyAuditLog, type VerifyReport } from '../audit/audit-verifier.ts';
import { ProblemSchema } from './problem.ts';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema };

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  subject: Type.String(),
  data: Type.Unknown(),
  leafHash: Type.String({ description: 'RFC 6962 leaf hash (hex)' }),
  actorName: Type.Union([Type.String(), Type.Null()], { description: "The officer's current display name, when the actor is an officer" }),
  subjectName: Type.Union([Type.String(), Type.Null()], { description: "The officer's current display name, when the subject is an officer" }),
});

const Checkpoint = Type.Object({ id: Type.Integer(), treeSize: Type.Integer(), rootHash: Type.String(), at: Type.String(), note: Type.String() });

const Verification = Type.Object({
  ok: Type.Boolean(),
  origin: Type.String(),
  verifierKey: Type.String(),
  entries: Type.Integer(),
  rootHash: Type.String(),
  checkpoints: Type.Object({
    total: Type.Integer(),
    verified: Type.Integer(),
    latest: Type.Union([Type.Object({ treeSize: Type.Integer(), timestamp: Type.Union([Type.String(), Type.Null()]), source: Type.String() }), Type.Null()]),
  }),
  problems: Type.Array(Type.Object({ kind: Type.String(), seq: Type.Union([Type.Integer(), Type.Null()]), message: Type.String() })),
  firstBadSeq: Type.Union([Type.Integer(), Type.Null()]),
  verifiedAt: Type.String(),
  latestCheckpoint: Type.Union([Checkpoint, Type.Null()]),
});

const Filter = Type.String({ minLength: 1, maxLength: 200 });

export const auditLogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { runtime } = app;
  // Verification streams the whole log: share one run between concurrent callers and reuse it while the log has not grown.
  let cached: { size: number; at: number; report: VerifyReport & { verifiedAt: string } } | undefined;
  let running: Promise<VerifyReport & { verifiedAt: string }> | undefined;

  async function verify(): Promise<VerifyReport & { verifiedAt: string }> {
    const { size } = await runtime.audit.head();
    const now = runtime.clock.now();
    if (cached && cached.size === size && now.getTime() - cached.at < 60_000) return cached.report;
    running ??= (async () => {
      try {
        const checkpoints = [...checkpointInputsFromDb(await storedCheckpoints(runtime.database)), ...checkpointInputsFromCopyFile(runtime.config.audit.checkpointCopyPath)];
        const report = await verifyAuditLog({ origin: runtime.identity.origin, verifier: runtime.identity.signer, checkpoints, entries: entryBatches(runtime.database) });
        const full = { ...report, verifiedAt: now.toISOString() };
        cached = { size: report.entries, at: now.getTime(), report: full };
        return full;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  app.get(
    '/entries',
    {
      config: { access: 'audit.read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first; page with `before` (the nextBefore of the previous page)',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
          actor: Type.Optional(Filter),
          action: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Exact action, or a prefix ending in .* (e.g. auth.*)' })),
          subject: Type.Optional(Filter),
        }),
        response: { 200: Type.Object({ entries: Type.Array(Entry), nextBefore: Type.Union([Type.Integer(), Type.Null()]), total: Type.Integer() }), ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      const entries = await runtime.audit.entries({
        limit: q.limit,
        ...(q.before !== undefined ? { before: q.before } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.subject ? { subject: q.subject } : {}),
      });
      // Officers are recorded by id (names can change); show today's name beside it for the reader.
      const ids = [...new Set(entries.flatMap((e) => [e.actor, e.subject]).filter((r) => r.startsWith('officer:')).map((r) => r.slice(8)))];
      const names = new Map<string, string>();
      if (ids.length) for (const o of await runtime.database.db.selectFrom('officer').select(['id', 'display_name']).where('id', 'in', ids).execute()) names.set(`officer:${o.id}`, o.display_name);
      const last = entries[entries.length - 1];
      return {
        entries: entries.map((e) => ({ ...e, actorName: names.get(e.actor) ?? null, subjectName: names.get(e.subject) ?? null })),
        nextBefore: entries.length === q.limit && last && last.seq > 0 ? last.seq : null,
        total: (await runtime.audit.head()).size,
      };
    },
  );

  app.get(
    '/verification',
    {
      config: { access: 'audit.read' },
      schema: { tags: ['audit'], summary: 'Verify the whole log now (cached while it does not grow) and show the latest signed checkpoint', response: { 200: Verification, ...errors } },
    },
    async () => {
      const report = await verify();
      const row = await runtime.database.db.selectFrom('audit_checkpoint').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
      return {
        ok: report.ok,
        origin: report.origin,
        verifierKey: runtime.identity.verifierKey,
        entries: report.entries,
        rootHash: report.rootHash,
        checkpoints: report.checkpoints,
        problems: report.problems,
        firstBadSeq: report.firstBadSeq,
        verifiedAt: report.verifiedAt,
        latestCheckpoint: row ? { id: Number(row.id), treeSize: Number(row.tree_size), rootHash: row.root_hash, at: row.at, note: row.note } : null,
      };
    },
  );
};
