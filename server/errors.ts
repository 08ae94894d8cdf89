// Typed errors shared by every layer. Each carries a stable `code` (for API clients and tests), an HTTP status
// (for problem+json) and a message a person can act on. Messages must never contain a secret (TAP, PIN, key
// material): build them from ids and fingerprints only.

export class BreakglassError extends Error {
  /** Stable machine-readable code, e.g. `tap_policy`. */
  readonly code: string;
  /** HTTP status used when this error reaches a client as problem+json. */
  readonly status: number;
  /** Extra, non-secret fields that help the caller act (shown in problem+json). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { status?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
  }
}

/** The caller sent something we cannot accept; nothing was changed. */
export class InvalidInputError extends BreakglassError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_input', message, { status: 400, ...(details ? { details } : {}) });
  }
}

export class NotFoundError extends BreakglassError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('not_found', message, { status: 404, ...(details ? { details } : {}) });
  }
}

/** The request conflicts with the current state (already approved, expired, same officer, …). */
export class ConflictError extends BreakglassError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, { status: 409, ...(details ? { details } : {}) });
  }
}

/** Configuration could not be loaded; `problems` holds one line per bad setting. */
export class ConfigError extends BreakglassError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('config_invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { status: 500 });
    this.problems = problems;
  }
}

/** Storage could not be opened or migrated (corrupt file, wrong path, server down). */
export class StorageError extends BreakglassError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('storage', message, { status: 503, ...options });
  }
}
