import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DUPLICATE_SCOPES, type DuplicateScope } from '../common/vocabulary.js';
import { findDuplicatesInTable } from './find-duplicates.js';
import { clustersToCsv, clustersToJson, DedupeInputError, readRecordsFile } from './dedupe-file.util.js';
import { RecordTable } from './record-table.js';

export const DEDUPE_USAGE = `Usage: npm run dedupe -- <records.csv|.json|.jsonl> [options]

Finds duplicate counterparties in a file of 1C and CRM records and prints the clusters.
Columns / properties: system (onec|crm), id, name, fullName, inn, kpp, ogrn, phones, emails, linkedTo
(phones and emails separated by ";"; linkedTo: the 1C id a CRM company is linked to).

Options:
  --format json|csv          output format (default json)
  --scope onec|crm|cross     scope to compute; repeat or comma-separate (default all three)
  --min-level possible|duplicate   smallest level reported (default possible)
  --branches-same-party      same INN with another KPP counts as the same party
  --pairs                    with --format json: add the scored pairs behind each cluster
  --mask                     mask phones and e-mails in reasons (for sharing the output)
  --out <file>               write to a file instead of stdout
  --help`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** The dedupe command line: returns the exit code (0 ok, 2 usage or input error). */
export async function runDedupeCli(argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'json' },
        scope: { type: 'string', multiple: true },
        'min-level': { type: 'string', default: 'possible' },
        'branches-same-party': { type: 'boolean', default: false },
        pairs: { type: 'boolean', default: false },
        mask: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${DEDUPE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${DEDUPE_USAGE}\n`);
    return 0;
  }
  const file = positionals[0];
  const format = String(values.format);
  const minLevel = String(values['min-level']);
  const scopes = ((values.scope as string[] | undefined) ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const problems: string[] = [];
  if (!file) problems.push('a records file is required');
  if (!['json', 'csv'].includes(format)) problems.push(`--format must be json or csv, got "${format}"`);
  if (!['possible', 'duplicate'].includes(minLevel))
    problems.push(`--min-level must be possible or duplicate, got "${minLevel}"`);
  for (const s of scopes)
    if (!DUPLICATE_SCOPES.includes(s as DuplicateScope))
      problems.push(`--scope must be one of ${DUPLICATE_SCOPES.join(', ')}, got "${s}"`);
  if (problems.length) {
    io.stderr(`${problems.join('\n')}\n\n${DEDUPE_USAGE}\n`);
    return 2;
  }
  const started = performance.now();
  const table = new RecordTable();
  try {
    for await (const r of readRecordsFile(file)) table.add(r);
  } catch (e) {
    const msg =
      e instanceof DedupeInputError || e instanceof SyntaxError
        ? e.message
        : (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? `no such file: ${file}`
          : (e as Error).message;
    io.stderr(`Cannot read ${file}: ${msg}\n`);
    return 2;
  }
  const result = findDuplicatesInTable(
    table,
    {
      scopes: scopes.length ? (scopes as DuplicateScope[]) : undefined,
      minLevel: minLevel as 'possible' | 'duplicate',
      branchesAreSameParty: Boolean(values['branches-same-party']),
    },
    performance.now() - started,
  );
  const output =
    format === 'csv'
      ? clustersToCsv(result, { mask: Boolean(values.mask) })
      : clustersToJson(result, { mask: Boolean(values.mask), pairs: Boolean(values.pairs) });
  if (values.out) await writeFile(String(values.out), output);
  else io.stdout(output);
  const s = result.stats;
  io.stderr(
    `${table.size} records (${s.records.onec} 1C, ${s.records.crm} CRM): clusters onec=${s.clusters.onec} crm=${s.clusters.crm} cross=${s.clusters.cross} ` +
      `in ${Math.round(performance.now() - started)} ms\n`,
  );
  return 0;
}
