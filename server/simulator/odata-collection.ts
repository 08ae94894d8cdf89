// Serves a collection the way Graph does: $filter (the properties a route allows), $select, $top with a maximum, and
// paging through an absolute `@odata.nextLink` on https://graph.microsoft.com (graph.md §6.5) carrying an opaque
// $skiptoken. The link uses Graph's real origin on purpose: the adapter's transport maps it to the simulator.
import { GRAPH_ORIGIN } from '../graph/create-graph-client.ts';
import { badRequest } from './graph-http-error.ts';
import { FilterSyntaxError, filterProperties, matchesFilter, parseFilter } from './odata-filter.ts';


export interface CollectionQuery {
  version: 'v1.0' | 'beta';
  /** Request path below the version, e.g. `/users/{id}/authentication/methods` (already decoded). */
  path: string;
  /** Raw query parameters. */
  query: Record<string, string | undefined>;
  defaultTop: number;
  maxTop: number;
  /** Property paths $filter may use; undefined = no $filter support (400). */
  filterable?: string[];
}

export interface CollectionPage<T> {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: T[];
}

export function applyFilter<T>(items: T[], filter: string | undefined, filterable: string[] | undefined): T[] {
  if (filter === undefined || filter === '') return items;
  if (!filterable) throw badRequest('Filter is not supported on this resource.', 'Request_UnsupportedQuery');
  let expr;
  try {
    expr = parseFilter(filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw badRequest(`Invalid filter clause: ${err.message}`);
    throw err;
  }
  for (const p of filterProperties(expr)) {
    if (!filterable.some((f) => f.toLowerCase() === p.toLowerCase())) throw badRequest(`Unsupported or invalid query filter clause specified for property '${p}' of resource.`, 'Request_UnsupportedQuery');
  }
  return items.filter((item) => matchesFilter(expr, item));
}

export function applySelect<T extends object>(item: T, select: string | undefined): Partial<T> {
  if (!select) return item;
  const wanted = new Set(select.split(',').map((s) => s.trim()).filter(Boolean));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (wanted.has(k) || k === 'id' || k.startsWith('@odata.')) out[k] = v;
  return out as Partial<T>;
}

function parseTop(raw: string | undefined, q: CollectionQuery): number {
  if (raw === undefined) return q.defaultTop;
  if (!/^\d+$/.test(raw)) throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${q.maxTop} inclusive.`);
  const n = Number(raw);
  if (n < 1 || n > q.maxTop) throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${q.maxTop} inclusive.`);
  return n;
}

function parseSkip(raw: string | undefined): number {
  if (raw === undefined) return 0;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    // fall through
  }
  throw badRequest('$skiptoken is invalid or expired.', 'Request_BadRequest');
}

export function page<T extends object>(items: T[], q: CollectionQuery, contextName: string, project: (item: T) => object = (i) => applySelect(i, q.query.$select)): CollectionPage<Partial<T>> {
  const filtered = applyFilter(items, q.query.$filter, q.filterable);
  const top = parseTop(q.query.$top, q);
  const skip = parseSkip(q.query.$skiptoken);
  const slice = filtered.slice(skip, skip + top).map(project) as Partial<T>[];
  const out: CollectionPage<Partial<T>> = { '@odata.context': `${GRAPH_ORIGIN}/${q.version}/$metadata#${contextName}`, value: slice };
  if (skip + top < filtered.length) {
    const params = Object.entries(q.query).filter(([k, v]) => k !== '$skiptoken' && v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v!)}`);
    params.push(`$skiptoken=${Buffer.from(JSON.stringify({ o: skip + top })).toString('base64url')}`);
    out['@odata.nextLink'] = `${GRAPH_ORIGIN}/${q.version}${q.path}?${params.join('&')}`;
  }
  return out;
}
