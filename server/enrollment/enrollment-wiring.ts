// Builds the enrollment pieces for a running service from its Runtime and configuration: the local allow-list file,
// the key provider, the EnrollmentService, and the background watcher that keeps guided enrollments moving (and the
// inventory reconciled) while nobody is looking at them.
import { loadAllowList, type LocalAllowList } from '../../hardware/index.ts';
import { reconcileAccounts } from '../accounts/reconcile.ts';
import { defaultLifecycleHooks, type LifecycleHooks } from '../accounts/lifecycle-hooks.ts';
import { requireDirectory, type Runtime } from '../runtime.ts';
import type { EnrollmentSettings } from './enrollment-settings.ts';
import { EnrollmentService, type EnrollmentLogger } from './enrollment-service.ts';
import { fromHardwareError } from './key-errors.ts';
import { keyProviderFor, type KeyProvider } from './key-provider.ts';
import { HardwareError } from '../../hardware/index.ts';
import { BreakglassError } from '../errors.ts';
import type { Directory } from '../graph/directory.ts';

export async function loadAllowListFor(settings: EnrollmentSettings): Promise<LocalAllowList | undefined> {
  if (!settings.allowListPath) return undefined;
  try {
    return await loadAllowList(settings.allowListPath);
  } catch (err) {
    if (err instanceof HardwareError) throw fromHardwareError(err);
    throw err;
  }
}

export interface EnrollmentWiring {
  service: EnrollmentService;
  keys: KeyProvider;
  hooks: LifecycleHooks;
}

/**
 * Stands in for the directory when this process has none (audit-only tools, some tests): reading breakglass's own
 * records still works, and anything that needs Graph fails with the usual 503 `no_directory`.
 */
function unavailableDirectory(): Directory {
  return new Proxy({ mode: { kind: 'graph', label: 'no directory connected', tenantId: '' } } as Directory, {
    get(target, prop) {
      if (prop === 'mode') return target.mode;
      if (prop === 'then') return undefined;
      return () => {
        throw new BreakglassError('no_directory', 'this operation needs Microsoft Graph (or the simulated tenant), which this process did not open', { status: 503 });
      };
    },
  });
}

export async function createEnrollment(runtime: Runtime, opts: { keys?: KeyProvider; hooks?: LifecycleHooks; logger?: EnrollmentLogger } = {}): Promise<EnrollmentWiring> {
  const settings = runtime.config.enrollment;
  const keys = opts.keys ?? keyProviderFor(settings.keySource, runtime.config.storage.dataDir);
  const hooks = opts.hooks ?? defaultLifecycleHooks;
  const service = new EnrollmentService({
    audit: runtime.audit,
    directory: runtime.directory ?? unavailableDirectory(),
    keys,
    settings,
    allowList: await loadAllowListFor(settings),
    hooks,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return { service, keys, hooks };
}

const shared = new WeakMap<Runtime, Promise<EnrollmentWiring>>();

/** The one enrollment service of a running service (created on first use: it needs the directory). */
export function sharedEnrollment(runtime: Runtime, logger?: EnrollmentLogger): Promise<EnrollmentWiring> {
  let w = shared.get(runtime);
  if (!w) {
    w = createEnrollment(runtime, logger ? { logger } : {});
    shared.set(runtime, w);
    w.catch(() => shared.delete(runtime));
  }
  return w;
}

/**
 * Runs `service.sweep()` every `watchIntervalSeconds` and a reconcile of every account every
 * `reconcileIntervalMinutes` (0 turns either off). Never overlaps itself; errors are logged and retried next time.
 */
export class EnrollmentWatcher {
  readonly #runtime: Runtime;
  readonly #wiring: EnrollmentWiring;
  readonly #logger: EnrollmentLogger | undefined;
  #timers: NodeJS.Timeout[] = [];
  #sweeping: Promise<unknown> | undefined;
  #reconciling: Promise<unknown> | undefined;

  constructor(runtime: Runtime, wiring: EnrollmentWiring, logger?: EnrollmentLogger) {
    this.#runtime = runtime;
    this.#wiring = wiring;
    this.#logger = logger;
  }

  start(): void {
    const s = this.#runtime.config.enrollment;
    if (s.watchIntervalSeconds > 0) this.#timers.push(setInterval(() => void this.sweepNow(), s.watchIntervalSeconds * 1000));
    if (s.reconcileIntervalMinutes > 0) this.#timers.push(setInterval(() => void this.reconcileNow(), s.reconcileIntervalMinutes * 60_000));
    for (const t of this.#timers) t.unref();
  }

  sweepNow(): Promise<unknown> {
    this.#sweeping ??= this.#wiring.service
      .sweep()
      .catch((err: unknown) => this.#logger?.warn({ code: (err as { code?: string }).code }, 'enrollment sweep failed'))
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  reconcileNow(): Promise<unknown> {
    this.#reconciling ??= reconcileAccounts({ audit: this.#runtime.audit, directory: requireDirectory(this.#runtime), hooks: this.#wiring.hooks }, { actor: 'system' })
      .catch((err: unknown) => this.#logger?.warn({ code: (err as { code?: string }).code }, 'scheduled reconcile failed'))
      .finally(() => (this.#reconciling = undefined));
    return this.#reconciling;
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.allSettled([this.#sweeping, this.#reconciling]);
  }
}
