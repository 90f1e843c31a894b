import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a golden fixture of test/fixtures/bitrix24/{ok,not-ok}/ (specs run from the project root). */
export function fixture<T = unknown>(kind: 'ok' | 'not-ok', name: string): T {
  return JSON.parse(
    readFileSync(join(process.cwd(), 'test', 'fixtures', 'bitrix24', kind, name), 'utf8'),
  ) as T;
}

/** The rows of a captured list response: `result.items` (crm.item.list) or `result` (older methods). */
export function rowsOf(kind: 'ok' | 'not-ok', name: string): unknown[] {
  const body = fixture<{ result: unknown }>(kind, `${name}.list.json`);
  const r = body.result as { items?: unknown[] } | unknown[];
  return Array.isArray(r) ? r : (r.items ?? []);
}
