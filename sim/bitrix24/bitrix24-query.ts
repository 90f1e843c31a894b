/**
 * The fake portal's query language, shared by its item, requisite and to-do methods: filters with
 * Bitrix24's prefixes, orders, `start` paging, Moscow time, and the error it answers with.
 */

export class B24SimError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | number,
    readonly description: string,
  ) {
    super(description);
  }
}

/** ISO 8601 with a +03:00 offset, seconds precision (as Bitrix24 prints it). */
export function formatMoscow(d: Date): string {
  const t = new Date(d.getTime() + 3 * 3600_000);
  return `${t.toISOString().slice(0, 19)}+03:00`;
}

const PREFIX = /^(>=|<=|!@|!=%|!%=|=%|%=|!%|!=|>|<|@|=|!|%)?(.+)$/;

export function asObject(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined || v === '') return {};
  if (typeof v !== 'object')
    throw new B24SimError(
      400,
      '100',
      `Expected iterable value for multiple field, but got ${typeof v} instead`,
    );
  return v as Record<string, unknown>;
}

export function cmp(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined || b === '' ? 0 : -1;
  if (typeof a === 'number') {
    const n = Number(b);
    return Number.isNaN(n) ? String(a).localeCompare(String(b)) : a - n;
  }
  const as = String(a);
  const bs = b === null || b === undefined ? '' : String(b);
  if (/^\d+$/.test(as) && /^\d+$/.test(bs)) return Number(as) - Number(bs);
  if (/^\d{4}-\d\d-\d\dT/.test(as)) {
    const da = Date.parse(as);
    const db = Date.parse(bs);
    if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  }
  return as < bs ? -1 : as > bs ? 1 : 0;
}

function eq(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined || b === '';
  if (b === null || b === undefined) return a === '';
  return cmp(a, b) === 0;
}

function likeRe(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('%')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
}

export function listOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.values(v) : [v];
}

type Pred = (row: Record<string, unknown>) => boolean;

/** Compiles a `filter` (AND of keys, `logic: OR`, nested levels) into a predicate. */
export function compileFilter(raw: unknown, known: (f: string) => boolean, _idKey: string): Pred {
  if (raw === undefined || raw === null || raw === '' || (Array.isArray(raw) && raw.length === 0))
    return () => true;
  if (typeof raw !== 'object')
    throw new B24SimError(400, 'INVALID_ARG_VALUE', 'Invalid filter: it must be an object');
  const obj = raw as Record<string, unknown>;
  const logic = String(obj.logic ?? obj.LOGIC ?? 'AND').toUpperCase();
  const preds: Pred[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'logic' || key === 'LOGIC') continue;
    if (/^\d+$/.test(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      preds.push(compileFilter(value, known, _idKey));
      continue;
    }
    const m = PREFIX.exec(key)!;
    const op = m[1] ?? '=';
    const field = m[2];
    if (!known(field))
      throw new B24SimError(
        400,
        'INVALID_ARG_VALUE',
        `Invalid filter: field '${field}' is not allowed in filter`,
      );
    const get = (r: Record<string, unknown>) => r[field];
    switch (op) {
      case '=':
        preds.push(Array.isArray(value) ? (r) => value.some((v) => eq(get(r), v)) : (r) => eq(get(r), value));
        break;
      case '!':
      case '!=':
        preds.push(
          Array.isArray(value) ? (r) => !value.some((v) => eq(get(r), v)) : (r) => !eq(get(r), value),
        );
        break;
      case '>':
        preds.push((r) => get(r) !== null && get(r) !== undefined && cmp(get(r), value) > 0);
        break;
      case '>=':
        preds.push((r) => get(r) !== null && get(r) !== undefined && cmp(get(r), value) >= 0);
        break;
      case '<':
        preds.push((r) => get(r) !== null && get(r) !== undefined && cmp(get(r), value) < 0);
        break;
      case '<=':
        preds.push((r) => get(r) !== null && get(r) !== undefined && cmp(get(r), value) <= 0);
        break;
      case '@': {
        const vs = listOf(value);
        preds.push((r) => vs.some((v) => eq(get(r), v)));
        break;
      }
      case '!@': {
        const vs = listOf(value);
        preds.push((r) => !vs.some((v) => eq(get(r), v)));
        break;
      }
      case '%':
        preds.push((r) =>
          String(get(r) ?? '')
            .toLowerCase()
            .includes(String(value).toLowerCase()),
        );
        break;
      case '!%':
        preds.push(
          (r) =>
            !String(get(r) ?? '')
              .toLowerCase()
              .includes(String(value).toLowerCase()),
        );
        break;
      case '=%':
      case '%=': {
        const re = likeRe(String(value));
        preds.push((r) => re.test(String(get(r) ?? '')));
        break;
      }
      default: {
        const re = likeRe(String(value));
        preds.push((r) => !re.test(String(get(r) ?? '')));
      }
    }
  }
  return logic === 'OR'
    ? (r) => preds.length === 0 || preds.some((p) => p(r))
    : (r) => preds.every((p) => p(r));
}

export function compileOrder(
  raw: unknown,
  known: (f: string) => boolean,
  idKey: string,
): ((a: Record<string, unknown>, b: Record<string, unknown>) => number) | null {
  const entries = raw && typeof raw === 'object' ? Object.entries(raw as Record<string, unknown>) : [];
  for (const [f] of entries)
    if (!known(f))
      throw new B24SimError(400, 'INVALID_ARG_VALUE', `Invalid order: field '${f}' is not allowed in order`);
  const keys = entries.map(([f, d]) => [f, String(d).toUpperCase() === 'DESC' ? -1 : 1] as const);
  if (!keys.some(([f]) => f === idKey)) keys.push([idKey, 1]);
  return (a, b) => {
    for (const [f, dir] of keys) {
      const c = cmp(a[f], b[f]);
      if (c !== 0) return c * dir;
    }
    return 0;
  };
}

export function paginate<T>(rows: T[], rawStart: unknown): { items: T[]; total: number; next?: number } {
  const start = rawStart === undefined || rawStart === null || rawStart === '' ? 0 : Number(rawStart);
  if (start === -1) return { items: rows.slice(0, 50), total: 0 };
  const s = Number.isInteger(start) && start > 0 ? start : 0;
  const items = rows.slice(s, s + 50);
  return { items, total: rows.length, ...(s + 50 < rows.length ? { next: s + 50 } : {}) };
}

// ---- id index (sorted ascending ids) ----

/** The first index whose id is ≥ v (`strict`: > v). */
