/**
 * URL building for the 1C standard OData interface, exactly as
 * docs/protocols/onec-odata.md#percent-encoding fixes it.
 * Pure; shared by the adapter (and its tests). The simulator decodes with plain `%XX` decoding.
 */

/** Path segment: `encodeURIComponent`, then `=`, `,`, `:` back to literal (`'`, `(`, `)` already are). */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%3D/g, '=').replace(/%2C/g, ',').replace(/%3A/g, ':');
}

/** Joins the service root and a resource path (`Catalog_X/$count`, `Catalog_X(guid'…')`), segment by segment. */
export function resourceUrl(root: string, resource: string): string {
  const base = root.endsWith('/') ? root.slice(0, -1) : root;
  return `${base}/${resource.split('/').map(encodePathSegment).join('/')}`;
}

/** Query string: keys literal, each value through `encodeURIComponent` (spaces `%20`, never `+`). */
export function buildQuery(params: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    parts.push(`${k}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `'text'` with a quote inside doubled. */
export function stringLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

/** `guid'…'`; throws on anything but a 36-character GUID (a bug, never user input). */
export function guidLiteral(ref: string): string {
  const g = ref.toLowerCase();
  if (!GUID.test(g)) throw new RangeError(`not a GUID: ${JSON.stringify(ref)}`);
  return `guid'${g}'`;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** `datetime'YYYY-MM-DDTHH:MM:SS'`. */
export function datetimeLiteral(value: string): string {
  if (!DATETIME.test(value)) throw new RangeError(`not a local datetime: ${JSON.stringify(value)}`);
  return `datetime'${value}'`;
}

/**
 * A virtual-table parameter value (docs/protocols/onec-odata.md#receivables): the inner condition built with
 * ordinary literals, then every `'` doubled once more and the whole wrapped in quotes.
 */
export function wrapParameter(inner: string): string {
  return `'${inner.replace(/'/g, "''")}'`;
}

/** `Ref_Key eq guid'a' or Ref_Key eq guid'b' …` */
export function refsFilter(refs: string[], field = 'Ref_Key'): string {
  return refs.map((r) => `${field} eq ${guidLiteral(r)}`).join(' or ');
}

/**
 * Base filter and cursor condition combined with `and`, either may be absent. A part holding ` or `
 * is parenthesised unless it already is (`IsFolder eq false and Code gt '00-1'`).
 */
export function andFilters(...parts: (string | undefined | null)[]): string | undefined {
  const present = parts.filter((p): p is string => !!p);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return present
    .map((p) => (p.includes(' or ') && !(p.startsWith('(') && p.endsWith(')')) ? `(${p})` : p))
    .join(' and ');
}

/** The day after a local date `YYYY-MM-DD`, at midnight: the `Period` giving balances at the end of that date. */
export function periodAfter(date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a local date: ${JSON.stringify(date)}`);
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return `${d.toISOString().slice(0, 10)}T00:00:00`;
}
