// The typed fetch client: JSON in and out, the session's CSRF token on every state-changing request, problem+json
// errors as ApiError (with the server's stable code), and a step-up hook: when the server answers
// 403 step_up_required, the registered handler runs a passkey check and the request is sent once more.
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly fieldErrors: { field: string; message: string }[];

  constructor(status: number, code: string, message: string, details?: Record<string, unknown>, fieldErrors: { field: string; message: string }[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.fieldErrors = fieldErrors;
  }
}

let csrfToken: string | undefined;
let stepUpHandler: (() => Promise<void>) | undefined;
let unauthenticatedHandler: ((code: string) => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Runs a passkey step-up (registered by the app shell). */
export function onStepUpRequired(handler: () => Promise<void>): void {
  stepUpHandler = handler;
}

/** Called when a request finds the session gone (expired or signed out elsewhere). */
export function onUnauthenticated(handler: (code: string) => void): void {
  unauthenticatedHandler = handler;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

async function send<T>(method: Method, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, credentials: 'same-origin', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'network', 'breakglass did not answer. Check that the service is running and try again.');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json as T;
  const p = (json ?? {}) as { code?: string; detail?: string; details?: Record<string, unknown>; errors?: { field: string; message: string }[] };
  throw new ApiError(res.status, p.code ?? `http_${res.status}`, p.detail ?? `The request failed (${res.status}).`, p.details, p.errors ?? []);
}

export async function api<T>(method: Method, url: string, body?: unknown): Promise<T> {
  try {
    return await send<T>(method, url, body);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'step_up_required' && stepUpHandler) {
      await stepUpHandler();
      return send<T>(method, url, body);
    }
    if (err instanceof ApiError && (err.code === 'unauthenticated' || err.code === 'session_expired') && unauthenticatedHandler) {
      unauthenticatedHandler(err.code);
    }
    throw err;
  }
}
