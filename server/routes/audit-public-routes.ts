// Public audit material: the verifier key and the signed checkpoints. Both are meant to be copied out of the system
// (to auditors, a SIEM, a witness) so that a later rollback or rewrite of the log can be caught; they reveal nothing
// about the entries but their count and Merkle root.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseVerifierKey } from '../audit/signed-note.ts';
import { problem, ProblemSchema, sendProblem } from './problem.ts';

const PublicKey = Type.Object({
  origin: Type.String({ description: 'Checkpoint origin, also the key name' }),
  verifierKey: Type.String({ description: 'C2SP verifier key: <name>+<key id>+<base64(0x01 ‖ Ed25519 public key)>' }),
  keyId: Type.String({ description: 'Key ID (hex)' }),
  publicKey: Type.String({ description: 'Raw Ed25519 public key (base64)' }),
});

const CheckpointView = Type.Object({
  id: Type.Integer(),
  treeSize: Type.Integer(),
  rootHash: Type.String({ description: 'RFC 6962 root (hex)' }),
  at: Type.String(),
  note: Type.String({ description: 'The signed note, verbatim' }),
});

export const auditPublicRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/public-key', { config: { access: 'public' }, schema: { tags: ['audit'], summary: 'The audit log verifier key', response: { 200: PublicKey } } }, async () => {
    const { identity } = app.runtime;
    const v = parseVerifierKey(identity.verifierKey);
    return { origin: identity.origin, verifierKey: identity.verifierKey, keyId: v.id.toString('hex'), publicKey: v.publicKey.toString('base64') };
  });

  app.get(
    '/checkpoints/latest',
    { config: { access: 'public' }, schema: { tags: ['audit'], summary: 'The latest signed checkpoint', response: { 200: CheckpointView, 404: ProblemSchema } } },
    async (_req, reply) => {
      const row = await app.runtime.database.db.selectFrom('audit_checkpoint').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!row) return sendProblem(reply, problem(404, 'no_checkpoint', 'No checkpoint has been signed yet; one is written at start and then on schedule.'));
      return { id: Number(row.id), treeSize: Number(row.tree_size), rootHash: row.root_hash, at: row.at, note: row.note };
    },
  );

  app.get(
    '/checkpoints',
    {
      config: { access: 'public' },
      schema: {
        tags: ['audit'],
        summary: 'Signed checkpoints, newest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), before: Type.Optional(Type.Integer({ minimum: 1 })) }),
        response: { 200: Type.Object({ checkpoints: Type.Array(CheckpointView) }) },
      },
    },
    async (req) => {
      let q = app.runtime.database.db.selectFrom('audit_checkpoint').selectAll().orderBy('id', 'desc').limit(req.query.limit);
      if (req.query.before !== undefined) q = q.where('id', '<', req.query.before);
      const rows = await q.execute();
      return { checkpoints: rows.map((r) => ({ id: Number(r.id), treeSize: Number(r.tree_size), rootHash: r.root_hash, at: r.at, note: r.note })) };
    },
  );
};
