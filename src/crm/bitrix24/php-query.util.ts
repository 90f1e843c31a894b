/**
 * Query strings for `batch` commands, built like PHP `http_build_query`
 * (docs/protocols/bitrix24.md#batch-query-strings):
 * brackets literal, every key segment and every value through `encodeURIComponent`, arrays as
 * `[0]`, `[1]`…, nested objects as `[key]`. `null`/`undefined` become an empty value; booleans `1`/`0`
 * are never produced here (Bitrix24 wants `Y`/`N` strings, which callers pass as such).
 */
export function buildPhpQuery(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(`${prefix}[${i}]`, v));
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        walk(`${prefix}[${encodeURIComponent(k)}]`, v);
      return;
    }
    const text = value === null || value === undefined ? '' : String(value);
    parts.push(`${prefix}=${encodeURIComponent(text)}`);
  };
  for (const [k, v] of Object.entries(params)) walk(encodeURIComponent(k), v);
  return parts.join('&');
}

/** One batch command string: `<method>?<query>`. */
export function batchCommand(method: string, params: Record<string, unknown>): string {
  const q = buildPhpQuery(params);
  return q ? `${method}?${q}` : method;
}
