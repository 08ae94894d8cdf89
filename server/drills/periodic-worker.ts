// A small in-process loop for the background workers (drill tick, sign-in poller, notifier): run once at start, then
// again after the delay the run asks for (never more than `maxDelayMs`), or sooner when woken. It only decides *when
// to look at the rows again*: everything that must happen is a row with a unique key, so a missed or doubled run
// changes nothing. A run never overlaps the previous one; a failing run is logged and retried on the next schedule.

export interface WorkerLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PeriodicWorkerOptions {
  name: string;
  /** One run; resolves with the delay until the next run is wanted (ms), or undefined for maxDelayMs. */
  run: () => Promise<number | undefined>;
  maxDelayMs: number;
  /** Shortest gap between runs, so a burst of wake-ups does not spin (default 1 s). */
  minDelayMs?: number;
  logger?: WorkerLogger;
}

export class PeriodicWorker {
  readonly #o: PeriodicWorkerOptions;
  #timer: NodeJS.Timeout | undefined;
  /** When the scheduled run fires (ms since epoch), so a wake-up never postpones it. */
  #dueAt = Number.POSITIVE_INFINITY;
  #running: Promise<void> | undefined;
  #stopped = true;
  #wakeRequested = false;
  /** Runs completed (successful or not); for tests and health. */
  runs = 0;
  lastError: string | undefined;

  constructor(options: PeriodicWorkerOptions) {
    this.#o = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Ask for a run soon (e.g. an alert was raised). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#wakeRequested = true;
      return;
    }
    this.#schedule(this.#o.minDelayMs ?? 1000, { onlyIfSooner: true });
  }

  #schedule(ms: number, opts: { onlyIfSooner?: boolean } = {}): void {
    if (this.#stopped) return;
    const delay = Math.max(0, Math.min(ms, this.#o.maxDelayMs));
    // Wall time on purpose: this only arms a real timer; what is due is decided by the rows and the injected clock.
    const at = Date.now() + delay;
    if (opts.onlyIfSooner && this.#timer && at >= this.#dueAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#dueAt = at;
    this.#timer = setTimeout(() => void this.#tick(), delay);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    this.#dueAt = Number.POSITIVE_INFINITY;
    if (this.#stopped || this.#running) return;
    let next: number | undefined;
    this.#running = (async () => {
      try {
        next = await this.#o.run();
        this.lastError = undefined;
      } catch (err) {
        this.lastError = (err as Error)?.message ?? String(err);
        this.#o.logger?.error({ worker: this.#o.name, err: { message: this.lastError, code: (err as { code?: string }).code } }, `${this.#o.name} run failed; it will be retried`);
      } finally {
        this.runs += 1;
      }
    })();
    await this.#running;
    this.#running = undefined;
    const min = this.#o.minDelayMs ?? 1000;
    if (this.#wakeRequested) {
      this.#wakeRequested = false;
      this.#schedule(min);
    } else {
      this.#schedule(Math.max(min, next ?? this.#o.maxDelayMs));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
