import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmoReadContext } from '../amocrm.types.js';
import { stageRefOf, toAmoPipelines } from './stage.converter.js';

/** Reads a golden fixture of test/fixtures/amocrm/{ok,not-ok}/ (specs run from the project root). */
export function fixture<T = unknown>(kind: 'ok' | 'not-ok', name: string): T {
  return JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'amocrm', kind, name), 'utf8')) as T;
}

/** The rows of a captured list answer: `_embedded.<entity>`. */
export function rowsOf(kind: 'ok' | 'not-ok', entity: 'companies' | 'contacts' | 'leads'): unknown[] {
  return fixture<{ _embedded: Record<string, unknown[]> }>(kind, `${entity}.list.json`)._embedded[entity];
}

/** The field ids of the fixtures' account, and its statuses (test/fixtures/amocrm/ok/pipelines.json). */
export function fixtureContext(entity: 'companies' | 'contacts' | 'leads'): AmoReadContext {
  const refs = new Map(toAmoPipelines(fixture('ok', 'pipelines.json')).flatMap((p) => p.statuses.map((s) => [s.id, stageRefOf(s)] as const)));
  const key = { companies: 280010, contacts: 280020, leads: 280030 }[entity];
  const deleted = { companies: 280011, contacts: 280021, leads: 280031 }[entity];
  return {
    fields: entity === 'companies' ? { key, deleted, inn: 280001, kpp: 280002, ogrn: 280004, fullName: 280003 } : { key, deleted },
    stageOf: (id) => refs.get(id) ?? null,
    currency: 'RUB',
  };
}
