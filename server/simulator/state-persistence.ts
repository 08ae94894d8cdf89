// Keeps a simulated tenant's changing state in a JSON file, so the embedded demo tenant survives a restart of the
// service and the CLI and the service see the same tenant: registered keys, TAP metadata, sign-in and directory-audit
// records, sent mail, policies, WebAuthn user handles. Users, groups and roles come from the fixture each time.
// TAP secrets are not kept: a pass issued before a restart is listed but can no longer be redeemed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GraphDirectoryAudit, GraphFido2Policy, GraphSignIn, GraphTapPolicy } from '../graph/graph-types.ts';
import type { SentMail, StoredMethod, TenantState } from './tenant-state.ts';

const FORMAT = 'breakglass-simulated-tenant-state/1';

interface SavedPasskeyCredential {
  id: string;
  publicKey: string;
  counter: number;
  transports: string[];
  userHandle: string;
  /** Set for keys registered on the simulated security-info page (its own relying party). */
  rpId?: string;
}

type SavedMethod =
  | (Extract<StoredMethod, { kind: 'tap' }> extends infer T ? Omit<T, 'secretHash'> : never)
  | { kind: 'fido2'; graph: Extract<StoredMethod, { kind: 'fido2' }>['graph']; credential?: SavedPasskeyCredential }
  | Extract<StoredMethod, { kind: 'other' }>;

interface Snapshot {
  format: typeof FORMAT;
  tenantId: string;
  methods: Record<string, SavedMethod[]>;
  tapPolicy: GraphTapPolicy;
  fido2Policy: GraphFido2Policy;
  signIns: GraphSignIn[];
  directoryAudits: GraphDirectoryAudit[];
  sentMail: SentMail[];
  userHandles: Record<string, string>;
}

export function snapshotState(state: TenantState): Snapshot {
  const methods: Record<string, SavedMethod[]> = {};
  for (const [uid, list] of state.methods) {
    methods[uid] = list.map((m): SavedMethod => {
      if (m.kind === 'tap') {
        const { secretHash: _dropped, ...rest } = m;
        return rest;
      }
      if (m.kind === 'fido2') {
        return m.credential
          ? { kind: 'fido2', graph: m.graph, credential: { ...m.credential, publicKey: Buffer.from(m.credential.publicKey).toString('base64') } }
          : { kind: 'fido2', graph: m.graph };
      }
      return m;
    });
  }
  return {
    format: FORMAT,
    tenantId: state.tenant.id,
    methods,
    tapPolicy: state.tapPolicy,
    fido2Policy: state.fido2Policy,
    signIns: state.signIns,
    directoryAudits: state.directoryAudits,
    sentMail: state.sentMail,
    userHandles: Object.fromEntries(state.userHandles),
  };
}

export function applySnapshot(state: TenantState, snap: Snapshot): void {
  state.methods.clear();
  for (const [uid, list] of Object.entries(snap.methods)) {
    state.methods.set(
      uid,
      list.map((m): StoredMethod => {
        if (m.kind === 'tap') return { ...m, secretHash: undefined };
        if (m.kind === 'fido2') {
          return m.credential ? { kind: 'fido2', graph: m.graph, credential: { ...m.credential, publicKey: new Uint8Array(Buffer.from(m.credential.publicKey, 'base64')) } } : { kind: 'fido2', graph: m.graph };
        }
        return m;
      }),
    );
  }
  state.tapPolicy = snap.tapPolicy;
  state.fido2Policy = snap.fido2Policy;
  state.signIns.splice(0, state.signIns.length, ...snap.signIns);
  state.directoryAudits.splice(0, state.directoryAudits.length, ...snap.directoryAudits);
  state.sentMail.splice(0, state.sentMail.length, ...snap.sentMail);
  state.userHandles.clear();
  for (const [k, v] of Object.entries(snap.userHandles)) state.userHandles.set(k, v);
}

export class StatePersistence {
  readonly #state: TenantState;
  readonly #path: string;
  #timer: NodeJS.Timeout | undefined;

  constructor(state: TenantState, path: string) {
    this.#state = state;
    this.#path = path;
  }

  /** Loads the file if it exists and belongs to this tenant; a file for another tenant is ignored (and replaced). */
  load(): boolean {
    if (!existsSync(this.#path)) return false;
    let snap: Snapshot;
    try {
      snap = JSON.parse(readFileSync(this.#path, 'utf8')) as Snapshot;
    } catch {
      throw new Error(`${this.#path} is not a readable simulated-tenant state file; move it away to start the simulated tenant from its fixture again`);
    }
    if (snap.format !== FORMAT || snap.tenantId !== this.#state.tenant.id) return false;
    applySnapshot(this.#state, snap);
    return true;
  }

  /** Writes soon (coalescing bursts of changes). */
  schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), 20);
    this.#timer.unref();
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
    const tmp = `${this.#path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(snapshotState(this.#state)), { mode: 0o600 });
    renameSync(tmp, this.#path);
  }
}
