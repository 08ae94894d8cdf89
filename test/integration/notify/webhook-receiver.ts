// A real local webhook receiver for the notifier tests: an HTTP server on 127.0.0.1 that verifies every request with
// the reference `standardwebhooks` library (as a customer's endpoint would), records what it got, and answers with
// whatever status the test scripts (or holds the answer back, to make the sender time out).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The payload as standardwebhooks verified it, or the verification error. */
  verified: unknown;
  error?: string;
  /**
   * The test's virtual clock ran ahead of this machine's clock by more than the library's 5-minute tolerance, so the
   * signature was checked on its own (recomputed with the same library) and the timestamp compared to the sender's.
   */
  timestampOutsideTolerance?: boolean;
  path: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order: a status (with optional headers), or 'hold' to never answer. */
  script: ({ status: number; headers?: Record<string, string> } | 'hold')[];
  close(): Promise<void>;
}

export async function startReceiver(secret: string, path = '/hooks/breakglass?sig=query-signature-that-is-a-secret'): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const received: Received[] = [];
  const script: Receiver['script'] = [];
  const hook = new Webhook(secret);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const h = req.headers as IncomingHttpHeaders & Record<string, string>;
      const entry: Received = { id: h['webhook-id'] ?? '', timestamp: h['webhook-timestamp'] ?? '', signature: h['webhook-signature'] ?? '', body, verified: undefined, path: req.url ?? '' };
      try {
        // Verify the raw body, as the Standard Webhooks spec requires (never re-serialised JSON).
        entry.verified = hook.verify(body, { 'webhook-id': entry.id, 'webhook-timestamp': entry.timestamp, 'webhook-signature': entry.signature });
      } catch (err) {
        const message = (err as Error).message;
        if (/timestamp too (old|new)/i.test(message) && /^\d+$/.test(entry.timestamp)) {
          const expected = hook.sign(entry.id, new Date(Number(entry.timestamp) * 1000), body);
          if (entry.signature.split(' ').includes(expected)) {
            entry.verified = JSON.parse(body);
            entry.timestampOutsideTolerance = true;
          } else entry.error = 'No matching signature found';
        } else entry.error = message;
      }
      received.push(entry);
      const next = script.shift() ?? { status: 204 };
      if (next === 'hold') {
        held.push(res);
        return;
      }
      res.writeHead(entry.error ? 401 : next.status, next.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    script,
    async close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
