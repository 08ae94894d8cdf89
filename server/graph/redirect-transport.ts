// The last middleware when the adapter talks to the simulated tenant (graph.md §7.4, option 2). graph-client keeps
// its real base URL `https://graph.microsoft.com/`, so its AuthenticationHandler attaches the bearer token (it only
// does so for Graph hosts, §7.3) and absolute `@odata.nextLink`s work verbatim; just before the wire, this handler
// swaps that origin for the simulator's (`http://127.0.0.1:PORT` or `https://…` with the simulator's own CA pinned)
// and sends the request with node:http(s). Nothing global changes (no NODE_EXTRA_CA_CERTS, no proxy), so the same
// process can hold a real and a simulated directory side by side.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

export interface RedirectTransportOptions {
  /** The origin graph-client believes it talks to, e.g. `https://graph.microsoft.com`. */
  from: string;
  /** Where requests really go, e.g. `https://127.0.0.1:4010`. */
  to: string;
  /** PEM CA to trust for an https `to` (the simulator's self-signed certificate). */
  ca?: string | undefined;
  /** Abort a request that gets no response headers within this time. */
  timeoutMs?: number;
  /** Diagnostic hook (tests, fidelity checks): sees each request as graph-client built it. Never logs on its own. */
  observe?: ((request: { method: string; url: string; body: string | undefined }) => void) | undefined;
}

export class RedirectTransport implements Middleware {
  readonly #from: string;
  readonly #to: URL;
  readonly #ca: string | undefined;
  readonly #timeoutMs: number;
  readonly #observe: RedirectTransportOptions['observe'];

  constructor(options: RedirectTransportOptions) {
    this.#from = options.from.replace(/\/+$/, '');
    this.#to = new URL(options.to);
    this.#ca = options.ca;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#observe = options.observe;
  }

  /** Maps a Graph URL to the simulator's; other URLs are left alone (and are then refused below). */
  rewrite(url: string): string {
    if (url === this.#from || url.startsWith(`${this.#from}/`)) return `${this.#to.origin}${url.slice(this.#from.length)}`;
    return url;
  }

  async execute(context: Context): Promise<void> {
    const original = typeof context.request === 'string' ? context.request : context.request.url;
    const target = new URL(this.rewrite(original));
    if (target.origin !== this.#to.origin) throw new Error(`refusing to send a request outside the simulated tenant: ${target.origin}`);
    const options = context.options ?? {};
    const headers = flattenHeaders(options.headers);
    const body = await bodyBytes(options.body);
    if (body) headers['content-length'] = String(body.length);
    this.#observe?.({ method: (options.method ?? 'GET').toUpperCase(), url: original, body: body?.toString('utf8') });
    context.response = await this.#send(target, (options.method ?? 'GET').toUpperCase(), headers, body, options.signal ?? undefined);
  }

  #send(url: URL, method: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal | undefined): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        { method, headers, ...(url.protocol === 'https:' && this.#ca ? { ca: this.#ca } : {}), ...(signal ? { signal } : {}) },
        (res) => {
          readAll(res).then((bytes) => resolve(toResponse(res, bytes)), reject);
        },
      );
      req.setTimeout(this.#timeoutMs, () => req.destroy(new Error(`no response from the simulated tenant within ${this.#timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

function flattenHeaders(h: ConstructorParameters<typeof Headers>[0] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  new Headers(h).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

async function bodyBytes(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  throw new Error('unsupported request body type for the simulated tenant');
}

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('the simulated tenant closed the connection mid-response')));
  });
}

function toResponse(res: IncomingMessage, bytes: Buffer): Response {
  const headers = new Headers();
  for (const [key, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else headers.set(key, value);
  }
  const status = res.statusCode ?? 502;
  const nullBody = status === 204 || status === 205 || status === 304;
  return new Response(nullBody ? null : bytes, { status, statusText: res.statusMessage ?? '', headers });
}
