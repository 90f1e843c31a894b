import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a golden fixture of test/fixtures/onec/{ok,not-ok}/ (specs run from the project root). */
export function fixture<T = unknown>(kind: 'ok' | 'not-ok', name: string): T {
  return JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'onec', kind, name), 'utf8')) as T;
}

export function rowsOf(kind: 'ok' | 'not-ok', set: string): unknown[] {
  return fixture<{ value: unknown[] }>(kind, `${set}.collection.json`).value;
}
