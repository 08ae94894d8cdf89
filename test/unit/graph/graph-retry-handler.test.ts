// The retry middleware on its own, with a scripted next middleware: which requests are retried, how long it waits,
// and that a non-idempotent POST is never sent twice whatever comes back.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { GraphRetryHandler } from '../../../server/graph/graph-retry-handler.ts';
import { RequestPolicy } from '../../../server/graph/request-policy.ts';

type Step = number | 'drop' | { status: number; headers?: Record<string, string> };

function run(steps: Step[], policy: RequestPolicy | undefined, method = 'GET', options: Partial<{ maxRetries: number; maxDelayMs: number }> = {}) {
  const sleeps: number[] = [];
  let calls = 0;
  const headersSeen: (string | undefined)[] = [];
  const next: Middleware = {
    execute: async (context: Context) => {
      const step = steps[Math.min(calls, steps.length - 1)]!;
      calls++;
      headersSeen.push((context.options?.headers as Record<string, string> | undefined)?.['Retry-Attempt']);
      if (step === 'drop') throw new TypeError('fetch failed');
      const s = typeof step === 'number' ? { status: step } : step;
      context.response = new Response(s.status === 204 ? null : '{}', { status: s.status, headers: s.headers ?? {} });
    },
  };
  const handler = new GraphRetryHandler({ maxRetries: options.maxRetries ?? 3, baseDelayMs: 100, maxDelayMs: options.maxDelayMs ?? 60_000, sleep: async (ms) => { sleeps.push(ms); } });
  handler.setNext(next);
  const control = { getMiddlewareOptions: (fn: unknown) => (fn === RequestPolicy ? policy : undefined) };
  const context = { request: 'https://graph.microsoft.com/v1.0/users', options: { method, headers: {} }, middlewareControl: control } as unknown as Context;
  return { promise: handler.execute(context).then(() => context.response as Response), sleeps, calls: () => calls, headersSeen };
}

describe('GraphRetryHandler', () => {
  it('retries 429/503/504 on reads, honouring Retry-After, and marks the attempt', async () => {
    const r = run([{ status: 429, headers: { 'Retry-After': '3' } }, 503, 504, 200], new RequestPolicy({ retry: true }));
    expect((await r.promise).status).toBe(200);
    expect(r.calls()).toBe(4);
    expect(r.sleeps[0]).toBe(3000);
    expect(r.sleeps[1]).toBeGreaterThanOrEqual(200);
    expect(r.headersSeen).toEqual([undefined, '1', '2', '3']);
  });
  it('does not retry 500, 502 or 4xx', async () => {
    for (const status of [500, 502, 400, 404]) {
      const r = run([status, 200], new RequestPolicy({ retry: true }));
      expect((await r.promise).status).toBe(status);
      expect(r.calls()).toBe(1);
    }
  });
  it('never sends a non-retryable POST twice: not on 429, 503 nor a dropped connection', async () => {
    for (const step of [{ status: 429, headers: { 'Retry-After': '1' } }, 503, 'drop'] as Step[]) {
      const r = run([step, 201], new RequestPolicy({ retry: false }), 'POST');
      if (step === 'drop') await expect(r.promise).rejects.toThrow('fetch failed');
      else expect((await r.promise).status).not.toBe(201);
      expect(r.calls()).toBe(1);
      expect(r.sleeps).toEqual([]);
    }
  });
  it('without a policy, only GET is retried', async () => {
    const post = run([503, 200], undefined, 'POST');
    expect((await post.promise).status).toBe(503);
    const get = run([503, 200], undefined, 'GET');
    expect((await get.promise).status).toBe(200);
  });
  it('retries dropped connections on reads and gives up after maxRetries', async () => {
    const ok = run(['drop', 'drop', 200], new RequestPolicy({ retry: true }));
    expect((await ok.promise).status).toBe(200);
    const bad = run(['drop'], new RequestPolicy({ retry: true }), 'GET', { maxRetries: 2 });
    await expect(bad.promise).rejects.toThrow('fetch failed');
    expect(bad.calls()).toBe(3);
  });
  it('hands back a 429 whose Retry-After exceeds the cap instead of waiting', async () => {
    const r = run([{ status: 429, headers: { 'Retry-After': '600' } }, 200], new RequestPolicy({ retry: true }), 'GET', { maxDelayMs: 60_000 });
    expect((await r.promise).status).toBe(429);
    expect(r.sleeps).toEqual([]);
  });
  it('counts attempts on the policy', async () => {
    const policy = new RequestPolicy({ retry: true });
    await run([503, 503, 200], policy).promise;
    expect(policy.attempts).toBe(3);
  });
});
