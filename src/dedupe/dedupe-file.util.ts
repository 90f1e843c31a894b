import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { DedupeRecord, DedupeResult } from './dedupe.types.js';

/**
 * Files for the dedupe CLI: records from CSV / JSON / JSON Lines (columns or properties
 * system,id,name,fullName,inn,kpp,ogrn,phones,emails,linkedTo; phones and e-mails as arrays or
 * `;`-separated text), clusters out as JSON or CSV.
 */

export class DedupeInputError extends Error {}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).filter((s) => s.trim() !== '');
  if (v === null || v === undefined) return [];
  return String(v)
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  return s === '' ? null : s;
}

/** One input row (a CSV row or a JSON object) as a record. `line` names the row in errors. */
export function recordFromRow(row: Record<string, unknown>, line: number): DedupeRecord {
  const sys = String(row.system ?? 'onec')
    .trim()
    .toLowerCase();
  const system =
    sys === 'crm' || sys === 'bitrix24'
      ? 'crm'
      : sys === 'onec' || sys === '1c' || sys === '1с' || sys === ''
        ? 'onec'
        : null;
  if (!system) throw new DedupeInputError(`row ${line}: system must be onec or crm, got "${sys}"`);
  const id = text(row.id);
  if (!id) throw new DedupeInputError(`row ${line}: id is empty`);
  const name = text(row.name) ?? '';
  const fullName = text(row.fullName ?? row.full_name) ?? undefined;
  if (!name && !fullName) throw new DedupeInputError(`row ${line}: name is empty`);
  return {
    system,
    id,
    name,
    fullName,
    inn: text(row.inn),
    kpp: text(row.kpp),
    ogrn: text(row.ogrn),
    phones: list(row.phones),
    emails: list(row.emails),
    linkedTo: text(row.linkedTo ?? row.linked_to),
  };
}

/** Streams records from a file: `.csv` (header row), `.json` (an array), `.jsonl`/`.ndjson` (one object a line). */
export async function* readRecordsFile(path: string): AsyncGenerator<DedupeRecord> {
  await access(path);
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) {
    const data: unknown = JSON.parse(await readFile(path, 'utf8'));
    const rows = Array.isArray(data) ? data : (data as { records?: unknown }).records;
    if (!Array.isArray(rows))
      throw new DedupeInputError('a JSON file must hold an array of records (or { "records": [...] })');
    let line = 0;
    for (const row of rows) yield recordFromRow(row as Record<string, unknown>, ++line);
    return;
  }
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) {
    const { createInterface } = await import('node:readline');
    let line = 0;
    for await (const l of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
      line++;
      if (l.trim()) yield recordFromRow(JSON.parse(l) as Record<string, unknown>, line);
    }
    return;
  }
  const source = createReadStream(path);
  const parser = source.pipe(
    parse({
      columns: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
    }),
  );
  // pipe() does not forward a read error (a missing file) to the parser: without this the loop would wait forever.
  source.once('error', (e) => parser.destroy(e));
  let line = 1;
  for await (const row of parser) yield recordFromRow(row as Record<string, unknown>, ++line);
}

/** CSV: one line per cluster member, with the cluster's id, scope, level, score and reasons. */
export function clustersToCsv(result: DedupeResult, opts: { mask?: boolean } = {}): string {
  const rows: unknown[][] = [
    ['cluster_id', 'scope', 'level', 'score', 'system', 'id', 'name', 'inn', 'reasons'],
  ];
  for (const c of result.clusters) {
    const reasons = (opts.mask ? c.reasonDetails.map((r) => r.maskedText) : c.reasons).join('; ');
    for (const m of c.members)
      rows.push([c.id, c.scope, c.level, c.score.toFixed(2), m.system, m.id, m.name, m.inn ?? '', reasons]);
  }
  return stringify(rows);
}

/** JSON: clusters (and per-pair details when asked), with reasons masked when asked. */
export function clustersToJson(result: DedupeResult, opts: { mask?: boolean; pairs?: boolean } = {}): string {
  const clusters = result.clusters.map((c) => ({
    ...c,
    reasons: opts.mask ? c.reasonDetails.map((r) => r.maskedText) : c.reasons,
    reasonDetails: opts.mask ? c.reasonDetails.map(({ values: _v, text: _t, ...r }) => r) : c.reasonDetails,
  }));
  const pairs = opts.pairs
    ? result.pairs.map((p) => ({
        ...p,
        reasons: opts.mask ? p.reasons.map(({ values: _v, text: _t, ...r }) => r) : p.reasons,
      }))
    : undefined;
  return `${JSON.stringify({ clusters, ...(pairs ? { pairs } : {}), stats: result.stats }, null, 2)}\n`;
}
