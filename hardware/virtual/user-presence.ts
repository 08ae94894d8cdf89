// Simulated user presence for the virtual authenticator: the "touch" a real key waits for. It can be immediate,
// delayed (so the key sends KEEPALIVE UPNEEDED frames meanwhile, CTAP 2.2 §11.2.9.2.1), manual (a test or a drill
// console calls touch() or deny()) or always denied. The authenticator gives up after `timeoutMs` like real keys do
// (USER_ACTION_TIMEOUT).
import { EventEmitter } from 'node:events';

export type UserPresenceMode =
  | { kind: 'immediate' }
  | { kind: 'delayed'; delayMs: number }
  | { kind: 'manual' }
  | { kind: 'deny' };

export type PresenceOutcome = 'granted' | 'denied' | 'timeout' | 'cancelled';

export interface UserPresenceEvents {
  /** The key started waiting for a touch ("touch your key" — the LED blinks). */
  request: [];
  /** The wait ended. */
  settled: [outcome: PresenceOutcome];
}

export class UserPresence extends EventEmitter<UserPresenceEvents> {
  mode: UserPresenceMode;
  /** How long the key waits for a touch before answering USER_ACTION_TIMEOUT; real keys use about 30 s. */
  timeoutMs: number;
  #pending: ((outcome: PresenceOutcome) => void) | undefined;

  constructor(mode: UserPresenceMode = { kind: 'immediate' }, timeoutMs = 30_000) {
    super();
    this.mode = mode;
    this.timeoutMs = timeoutMs;
  }

  /** Whether the key is waiting for a touch right now. */
  get waiting(): boolean {
    return this.#pending !== undefined;
  }

  /** Touches the key. Returns false when it was not waiting for a touch. */
  touch(): boolean {
    return this.#settle('granted');
  }

  /** Declines (for keys with a "no" gesture, or a drill that rehearses refusal). */
  deny(): boolean {
    return this.#settle('denied');
  }

  /** Waits for presence under the current mode; the signal aborts (CTAPHID_CANCEL or a power cycle). */
  request(signal: AbortSignal): Promise<PresenceOutcome> {
    if (signal.aborted) return Promise.resolve('cancelled');
    if (this.#pending) this.#settle('cancelled');
    const mode = this.mode;
    if (mode.kind === 'immediate') return Promise.resolve('granted');
    if (mode.kind === 'deny') return Promise.resolve('denied');
    return new Promise<PresenceOutcome>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const done = (outcome: PresenceOutcome): void => {
        for (const t of timers) clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        if (this.#pending === done) this.#pending = undefined;
        this.emit('settled', outcome);
        resolve(outcome);
      };
      const onAbort = (): void => done('cancelled');
      this.#pending = done;
      signal.addEventListener('abort', onAbort, { once: true });
      timers.push(setTimeout(() => done('timeout'), this.timeoutMs));
      if (mode.kind === 'delayed') timers.push(setTimeout(() => done('granted'), mode.delayMs));
      this.emit('request');
    });
  }

  #settle(outcome: PresenceOutcome): boolean {
    const pending = this.#pending;
    if (!pending) return false;
    this.#pending = undefined;
    pending(outcome);
    return true;
  }
}
