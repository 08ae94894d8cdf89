// Error mapping: every Graph failure shape becomes the right typed error with an actionable message and the ids a
// support case needs (graph.md §6.4). Pure function, no network.
import { describe, expect, it } from 'vitest';
import { mapGraphFailure, parseGraphErrorBody, retryAfterMs } from '../../../server/graph/graph-error-mapper.ts';
import {
  GraphAuthorizationError, GraphBadRequestError, GraphError, GraphLicenseError, GraphNotFoundError, GraphPolicyError, GraphThrottledError, GraphUnavailableError,
} from '../../../server/graph/graph-errors.ts';

const body = (code: string, message: string, requestId = 'req-1') => JSON.stringify({ error: { code, message, innerError: { date: '2026-11-20T09:00:00', 'request-id': requestId, 'client-request-id': 'cli-1' } } });
const fail = (status: number, text: string, headers: Record<string, string> = {}, permission?: string) =>
  mapGraphFailure({ status, bodyText: text, headers: new Headers(headers), operation: 'GET /users/u1', permission, clientRequestId: 'mine' });

describe('parseGraphErrorBody', () => {
  it('reads code, message and ids, tolerating lower-case innererror and junk', () => {
    expect(parseGraphErrorBody(body('X', 'y'))).toEqual({ code: 'X', message: 'y', requestId: 'req-1', clientRequestId: 'cli-1' });
    expect(parseGraphErrorBody('{"error":{"code":"A","message":"b","innererror":{"request-id":"r"}}}')).toEqual({ code: 'A', message: 'b', requestId: 'r' });
    expect(parseGraphErrorBody('<html>bad gateway</html>')).toBeUndefined();
    expect(parseGraphErrorBody('')).toBeUndefined();
    expect(parseGraphErrorBody('{"value":[]}')).toBeUndefined();
  });
});

describe('retryAfterMs', () => {
  it('accepts delta-seconds and HTTP-dates, ignores garbage', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '7' }))).toBe(7000);
    const now = Date.parse('2026-11-20T09:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Fri, 20 Nov 2026 09:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});

describe('mapGraphFailure', () => {
  it('429 → GraphThrottledError with Retry-After', () => {
    const e = fail(429, body('TooManyRequests', 'Too many requests'), { 'retry-after': '12' });
    expect(e).toBeInstanceOf(GraphThrottledError);
    expect((e as GraphThrottledError).retryAfterMs).toBe(12_000);
    expect(e.message).toBe('Microsoft Graph is throttling this app; try again in 12 s (Graph 429 TooManyRequests, request-id req-1; GET /users/u1)');
    expect(e.status).toBe(503);
  });
  it('5xx → GraphUnavailableError, also for non-JSON bodies', () => {
    expect(fail(503, body('serviceNotAvailable', 'down'))).toBeInstanceOf(GraphUnavailableError);
    const e = fail(502, '<html>Bad Gateway</html>', { 'request-id': 'hdr-id' });
    expect(e).toBeInstanceOf(GraphUnavailableError);
    expect(e.requestId).toBe('hdr-id');
    expect(e.message).toMatch(/\(no details\)/);
  });
  it('P1 licence 403 → GraphLicenseError saying so', () => {
    const e = fail(403, body('Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license"));
    expect(e).toBeInstanceOf(GraphLicenseError);
    expect(e.code).toBe('graph_license_required');
    expect(e.message).toMatch(/no Microsoft Entra ID P1 or P2 licence/);
  });
  it('TAP policy texts → GraphPolicyError', () => {
    expect(fail(400, body('badRequest', 'Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].'))).toBeInstanceOf(GraphPolicyError);
    const lifetime = fail(400, body('badRequest', 'Invalid LifetimeInMinutes specified. The valid range between 60 and 480.'));
    expect(lifetime).toBeInstanceOf(GraphPolicyError);
    expect(lifetime.message).toMatch(/between 60 and 480/);
    expect(fail(400, body('badRequest', 'Temporary Access Pass cannot be added to an external guest user.')).message).toMatch(/guest user/);
  });
  it('401/403 → GraphAuthorizationError, naming the permission', () => {
    expect(fail(401, body('InvalidAuthenticationToken', 'Access token has expired.')).message).toMatch(/check the tenant id, client id and credential/);
    const e = fail(403, body('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), {}, 'AuditLog.Read.All');
    expect(e).toBeInstanceOf(GraphAuthorizationError);
    expect(e.message).toMatch(/the app needs AuditLog\.Read\.All/);
  });
  it('404 → GraphNotFoundError, 400/405 → GraphBadRequestError, others → GraphError', () => {
    expect(fail(404, body('Request_ResourceNotFound', 'nope'))).toBeInstanceOf(GraphNotFoundError);
    expect(fail(405, body('Request_BadRequest', 'beta only'))).toBeInstanceOf(GraphBadRequestError);
    const other = fail(418, '');
    expect(other).toBeInstanceOf(GraphError);
    expect(other.code).toBe('graph_error');
  });
  it('keeps ids in details for problem+json', () => {
    const e = fail(404, body('Request_ResourceNotFound', 'nope', 'abc'));
    expect(e.details).toMatchObject({ graphStatus: 404, graphCode: 'Request_ResourceNotFound', requestId: 'abc', clientRequestId: 'cli-1', operation: 'GET /users/u1' });
  });
});
