// Fault injection for the simulated tenant, by configuration (BREAKGLASS_SIM_FAULTS) and per test
// (handle.faults.add(...) or POST /_simulator/faults). A rule matches by method and a path substring and fires a
// number of times: 429 with Retry-After, any status (5xx) with a Graph error body, latency, a dropped connection, or
// a malformed JSON body. `when: 'after'` lets the request take effect first and then breaks the answer, which is how
// an unknown outcome (the TAP was created, the client never heard) is produced.
export type FaultKind = 'throttle' | 'status' | 'latency' | 'drop' | 'malformed';

export interface FaultRule {
  kind: FaultKind;
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Case-insensitive substring of the request path incl. version, e.g. `/auditLogs/signIns` (any when omitted). */
  path?: string;
  /** How many matching requests it fires for (default: every one). */
  times?: number;
  /** `before` (default): instead of handling; `after`: handle the request, then break the response. */
  when?: 'before' | 'after';
  /** For `status`: the status to answer (default 503). */
  status?: number;
  /** For `throttle` (and `status` 503): the Retry-After seconds (default 1). */
  retryAfterSeconds?: number;
  /** For `latency`: delay before handling (default 200 ms). */
  latencyMs?: number;
}

interface ActiveRule extends FaultRule {
  id: number;
  remaining: number;
}

export class FaultInjector {
  readonly #rules: ActiveRule[] = [];
  #nextId = 1;
  /** How many times any rule fired; tests assert on it. */
  fired = 0;

  add(rule: FaultRule): number {
    validateFaultRule(rule);
    const id = this.#nextId++;
    this.#rules.push({ ...rule, id, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  remove(id: number): void {
    const i = this.#rules.findIndex((r) => r.id === id);
    if (i >= 0) this.#rules.splice(i, 1);
  }

  clear(): void {
    this.#rules.length = 0;
    this.fired = 0;
  }

  get rules(): readonly FaultRule[] {
    return this.#rules;
  }

  /** The first matching rule for this phase, consumed once; undefined when none applies. */
  take(method: string, path: string, when: 'before' | 'after', kinds?: FaultKind[]): FaultRule | undefined {
    const p = path.toLowerCase();
    for (const r of this.#rules) {
      if ((r.when ?? 'before') !== when || r.remaining <= 0) continue;
      if (kinds && !kinds.includes(r.kind)) continue;
      if (r.method && r.method.toUpperCase() !== method.toUpperCase()) continue;
      if (r.path && !p.includes(r.path.toLowerCase())) continue;
      r.remaining--;
      this.fired++;
      return r;
    }
    return undefined;
  }
}

const KINDS: FaultKind[] = ['throttle', 'status', 'latency', 'drop', 'malformed'];

export function validateFaultRule(rule: FaultRule): void {
  if (!rule || !KINDS.includes(rule.kind)) throw new Error(`fault kind must be one of ${KINDS.join(', ')}`);
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new Error('fault times must be a whole number ≥ 1');
  if (rule.status !== undefined && (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599)) throw new Error('fault status must be 400..599');
  if (rule.retryAfterSeconds !== undefined && (!Number.isInteger(rule.retryAfterSeconds) || rule.retryAfterSeconds < 0 || rule.retryAfterSeconds > 3600)) throw new Error('retryAfterSeconds must be 0..3600');
  if (rule.latencyMs !== undefined && (!Number.isInteger(rule.latencyMs) || rule.latencyMs < 0 || rule.latencyMs > 120_000)) throw new Error('latencyMs must be 0..120000');
  if (rule.when !== undefined && rule.when !== 'before' && rule.when !== 'after') throw new Error("when must be 'before' or 'after'");
  if (rule.when === 'after' && rule.kind === 'latency') throw new Error("latency faults run 'before'");
}

/** Parses the BREAKGLASS_SIM_FAULTS setting: a JSON array of rules. Returns problems instead of throwing. */
export function parseFaultRules(raw: unknown): { rules: FaultRule[]; problems: string[] } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return { rules: [], problems: [`not valid JSON: ${(err as Error).message}`] };
    }
  }
  if (!Array.isArray(value)) return { rules: [], problems: ['must be a JSON array of fault rules'] };
  const rules: FaultRule[] = [];
  const problems: string[] = [];
  value.forEach((r, i) => {
    try {
      validateFaultRule(r as FaultRule);
      rules.push(r as FaultRule);
    } catch (err) {
      problems.push(`rule ${i}: ${(err as Error).message}`);
    }
  });
  return { rules, problems };
}
