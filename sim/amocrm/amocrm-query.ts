/**
 * Query strings of the fake amoCRM account, pure. amoCRM clients send list parameters in three forms
 * (docs/protocols/amocrm.md#filters): PHP indexed arrays `filter[id][0]=1&filter[id][1]=2` (the official
 * SDK), empty brackets `filter[id][]=1&filter[id][]=2`, and repeated keys `filter[id]=1&filter[id]=2`.
 * All three read as one array here. Brackets nest (`filter[updated_at][from]=…`); `+` is a space.
 */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };
export type Query = Record<string, QueryValue>;

export function parseQuery(search: string): Query {
  const root: Record<string, QueryValue> = {};
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (!text) return root;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? '' : pair.slice(eq + 1));
    const open = key.indexOf('[');
    const segments = [open <= 0 ? key : key.slice(0, open)];
    if (open > 0) for (const m of key.slice(open).matchAll(/\[([^\]]*)\]/g)) segments.push(m[1]);
    let node: Record<string, QueryValue> = root;
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i];
      if (seg === '') seg = String(nextIndex(node));
      const last = i === segments.length - 1;
      const existing = node[seg];
      if (last) {
        // A repeated key collects its values (the third form above).
        if (existing === undefined) node[seg] = value;
        else if (Array.isArray(existing)) existing.push(value);
        else if (typeof existing === 'string') node[seg] = [existing, value];
        else node[seg] = value;
      } else {
        if (existing === undefined || typeof existing === 'string') node[seg] = {};
        else if (Array.isArray(existing)) node[seg] = { ...existing };
        node = node[seg] as Record<string, QueryValue>;
      }
    }
  }
  return arrayify(root) as Query;
}

/** The values of a list parameter (`1`, `[1, 2]`, `{0: 1}`), as strings; empty strings dropped. */
export function listOf(v: QueryValue | undefined): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return v === '' ? [] : [v];
  const items = Array.isArray(v) ? v : Object.values(v);
  return items.flatMap((x) => (typeof x === 'string' ? (x === '' ? [] : [x]) : listOf(x)));
}

/** A comma-separated parameter (`with=contacts,leads`), in any of the list forms. */
export function commaListOf(v: QueryValue | undefined): string[] {
  return listOf(v).flatMap((x) =>
    x
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

/** `[from]`/`[to]` of a range parameter (either may be missing); a bare value is `from`. */
export function rangeOf(v: QueryValue | undefined): { from?: number; to?: number } | null {
  if (v === undefined) return null;
  if (typeof v === 'string' || Array.isArray(v)) {
    const n = Number(listOf(v)[0]);
    return Number.isFinite(n) ? { from: n } : null;
  }
  const out: { from?: number; to?: number } = {};
  if (typeof v.from === 'string' && v.from !== '' && Number.isFinite(Number(v.from)))
    out.from = Number(v.from);
  if (typeof v.to === 'string' && v.to !== '' && Number.isFinite(Number(v.to))) out.to = Number(v.to);
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function nextIndex(node: Record<string, QueryValue>): number {
  let max = -1;
  for (const k of Object.keys(node)) if (/^\d+$/.test(k)) max = Math.max(max, Number(k));
  return max + 1;
}

/** Objects whose keys are 0..n-1 in order become arrays. */
function arrayify(v: QueryValue): QueryValue {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(arrayify);
  const keys = Object.keys(v);
  for (const k of keys) v[k] = arrayify(v[k]);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => v[k]);
  return v;
}
