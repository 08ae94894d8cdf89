// The simulator's OData $filter subset: the filters the adapter and Graph's docs use evaluate as Graph would, and
// anything else is refused. Includes a property test that odataString() quoting can never break out of a literal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { odataString } from '../../../../server/graph/odata-literal.ts';
import { FilterSyntaxError, filterProperties, matchesFilter, parseFilter } from '../../../../server/simulator/odata-filter.ts';

const signIn = { userId: 'AB-1', userPrincipalName: 'bg-01@contoso.example', createdDateTime: '2026-11-20T09:00:00Z', status: { errorCode: 0 }, signInEventTypes: ['interactiveUser'], isInteractive: true };
const m = (f: string, item: unknown = signIn) => matchesFilter(parseFilter(f), item);

describe('parseFilter / matchesFilter', () => {
  it('compares strings case-insensitively and instants as time', () => {
    expect(m("userId eq 'ab-1'")).toBe(true);
    expect(m("userPrincipalName eq 'BG-01@CONTOSO.EXAMPLE'")).toBe(true);
    expect(m('createdDateTime ge 2026-11-20T08:59:59Z')).toBe(true);
    expect(m('createdDateTime gt 2026-11-20T09:00:00Z')).toBe(false);
    expect(m('createdDateTime le 2026-11-20T09:00:00.000Z')).toBe(true);
  });
  it('handles and/or/not, parentheses, nested paths, numbers and booleans', () => {
    expect(m("(userId eq 'x' or userId eq 'ab-1') and createdDateTime ge 2026-01-01T00:00:00Z")).toBe(true);
    expect(m("not (userId eq 'ab-1')")).toBe(false);
    expect(m('status/errorCode eq 0 and isInteractive eq true')).toBe(true);
    expect(m('status/errorCode ne 0')).toBe(false);
  });
  it('supports in, startswith/endswith/contains and lambda any', () => {
    expect(m("userId in ('zz', 'AB-1')")).toBe(true);
    expect(m("startswith(userPrincipalName, 'bg-')")).toBe(true);
    expect(m("endswith(userPrincipalName, '.example')")).toBe(true);
    expect(m("contains(userPrincipalName, '01@')")).toBe(true);
    expect(m("signInEventTypes/any(t: t eq 'interactiveUser')")).toBe(true);
    expect(m("signInEventTypes/any(t: t eq 'servicePrincipal')")).toBe(false);
    const audit = { targetResources: [{ id: 'u1' }, { id: 'u2' }] };
    expect(m("targetResources/any(t: t/id eq 'U2')", audit)).toBe(true);
  });
  it('accepts unquoted GUID literals', () => {
    expect(m('userId eq 6f1d2c3b-0a9e-4b8d-8c7f-1e2d3c4b5a61', { userId: '6f1d2c3b-0a9e-4b8d-8c7f-1e2d3c4b5a61' })).toBe(true);
  });
  it('refuses malformed or unsupported filters', () => {
    for (const bad of ["userId eq 'open", 'userId eq', 'userId eq 1 1', "frobnicate(userId, 'x')", "userId eq 'x')", '$$$', 'createdDateTime ge 2026-13']) {
      expect(() => parseFilter(bad), bad).toThrow(FilterSyntaxError);
    }
  });
  it('reports the properties a filter uses, ignoring lambda variables', () => {
    expect(filterProperties(parseFilter("userId eq 'a' and targetResources/any(t: t/id eq 'b') and status/errorCode eq 0")).sort()).toEqual(['status/errorCode', 'targetResources', 'userId']);
  });
  it('quotes any string so that it matches itself and nothing else (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (value, other) => {
      expect(matchesFilter(parseFilter(`x eq ${odataString(value)}`), { x: value })).toBe(true);
      if (other.toLowerCase() !== value.toLowerCase()) expect(matchesFilter(parseFilter(`x eq ${odataString(value)}`), { x: other })).toBe(false);
    }), { numRuns: 200 });
  });
});
