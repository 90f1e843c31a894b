/**
 * PHP `parse_str` as the fake Bitrix24 applies it to each `batch` command
 * (docs/protocols/bitrix24.md#batch-query-strings): split on `&`
 * and the first `=`, percent-decode (`+` = space), nested objects from brackets, `[]` appends, and an
 * object whose keys are 0..n-1 in order becomes an array. Values stay strings; handlers coerce.
 */
export function parseStr(query: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  if (!query) return root;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const key = decode(rawKey);
    const value = decode(rawValue);
    const open = key.indexOf('[');
    const head = open <= 0 ? key : key.slice(0, open);
    const segments: string[] = [head];
    if (open > 0) {
      const re = /\[([^\]]*)\]/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(key.slice(open))) !== null) segments.push(m[1]);
    }
    let node: Record<string, unknown> = root;
    for (let i = 0; i < segments.length; i++) {
      let seg = segments[i];
      if (seg === '') seg = String(nextIndex(node));
      if (i === segments.length - 1) {
        node[seg] = value;
      } else {
        const child = node[seg];
        if (child === null || typeof child !== 'object') node[seg] = {};
        node = node[seg] as Record<string, unknown>;
      }
    }
  }
  return arrayify(root) as Record<string, unknown>;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function nextIndex(node: Record<string, unknown>): number {
  let max = -1;
  for (const k of Object.keys(node)) if (/^\d+$/.test(k)) max = Math.max(max, Number(k));
  return max + 1;
}

function arrayify(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (const k of keys) obj[k] = arrayify(obj[k]);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return keys.map((k) => obj[k]);
  return obj;
}
