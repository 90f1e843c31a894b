import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DUPLICATE_SCOPES } from '../src/common/vocabulary.js';
import type { DedupeCluster, DedupeOptions } from '../src/dedupe/dedupe.types.js';
import { findDuplicatesInTable, type CandidateSource } from '../src/dedupe/find-duplicates.js';
import { RecordTable } from '../src/dedupe/record-table.js';
import { generateLabelledRecords, pairScope, rowOfId } from '../sim/labelled/labelled-dataset.js';
import type { BenchRow, BenchRun } from './bench.types.js';

/**
 * Duplicate detection at scale: 100k and 1M generated counterparty records with planted duplicates
 * (sim/labelled/labelled-dataset.ts), each size in a child process so peak RSS is its own.
 * Figures: wall time (generate+prepare, block+score, cluster), peak RSS, the generator's own peak RSS
 * (another child that only generates the records: what of the peak is the data set, not dedupe),
 * candidate pairs per record, blocking recall (same-party pairs that blocking proposed), pairwise precision/recall/F1 of the
 * clusters at the default output (possible + duplicate) and at `duplicate` only; and an all-pairs
 * baseline on 5k records that must reach the same F1 (blocking loses nothing).
 *
 * Standalone: `node dist/bench/dedupe.bench.js [size ...]` (default 100000 1000000).
 */

const SEED = 20261128;

interface SizeResult {
  size: number;
  records: number;
  wallMs: number;
  prepareMs: number;
  blockScoreMs: number;
  clusterMs: number;
  maxRssMb: number;
  candidatesPerRecord: number;
  blockingRecall: number;
  truePairs: number;
  all: Metrics;
  dup: Metrics;
  clusters: Record<string, number>;
  allPairs?: { pairs: number; ms: number; f1: number; precision: number; recall: number };
}

interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  predicted: number;
}

function metrics(
  clusters: DedupeCluster[],
  t: RecordTable,
  party: Int32Array,
  truePairs: number,
  onlyDuplicate: boolean,
): Metrics {
  let predicted = 0;
  let tp = 0;
  for (const c of clusters) {
    if (onlyDuplicate && c.level !== 'duplicate') continue;
    const rows = c.members.map((m) => rowOfId(m.id));
    for (let x = 0; x < rows.length; x++) {
      for (let y = x + 1; y < rows.length; y++) {
        const a = rows[x];
        const b = rows[y];
        const sa = t.system.data[a];
        const sb = t.system.data[b];
        const scope =
          sa === sb ? (sa === 0 ? 'onec' : 'crm') : t.linked.data[sa === 1 ? a : b] ? null : 'cross';
        if (scope !== c.scope) continue;
        predicted++;
        if (party[a] === party[b]) tp++;
      }
    }
  }
  const precision = predicted ? tp / predicted : 1;
  const recall = truePairs ? tp / truePairs : 1;
  return {
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    predicted,
  };
}

/** Same-party pairs in some scope; the generator yields a party's records one after another. */
function truePairsOf(t: RecordTable, party: Int32Array): number {
  let n = 0;
  let start = 0;
  const rec = (r: number) =>
    ({ system: t.systemName(r), linkedTo: t.linked.data[r] ? 'x' : null }) as Parameters<typeof pairScope>[0];
  for (let i = 1; i <= t.size; i++) {
    if (i < t.size && party[i] === party[start]) continue;
    for (let x = start; x < i; x++) for (let y = x + 1; y < i; y++) if (pairScope(rec(x), rec(y))) n++;
    start = i;
  }
  return n;
}

/** The baseline: every pair (in scope) scored. Bench only: production never does this. */
const allPairs: CandidateSource = (t, include, visit) => {
  let pairs = 0;
  for (let a = 0; a < t.size; a++) {
    for (let b = a + 1; b < t.size; b++) {
      if (!include(a, b)) continue;
      pairs++;
      visit(a, b);
    }
  }
  return { blocks: 1, oversizedBlocks: 0, candidatePairs: pairs };
};

export function measure(size: number, withAllPairs = false): SizeResult {
  const started = performance.now();
  const t = new RecordTable();
  const partyList = new Int32Array(size);
  for (const x of generateLabelledRecords({ seed: SEED, parties: size, maxRecords: size })) {
    partyList[t.add(x.record)] = x.party;
  }
  const party = partyList.subarray(0, t.size);
  const prepareMs = performance.now() - started;
  let trueCandidates = 0;
  const options: DedupeOptions = { onCandidate: (a, b) => void (party[a] === party[b] && trueCandidates++) };
  const result = findDuplicatesInTable(t, options, prepareMs);
  const wallMs = performance.now() - started;
  const truePairs = truePairsOf(t, party);
  const out: SizeResult = {
    size,
    records: t.size,
    wallMs,
    prepareMs,
    blockScoreMs: result.stats.timingsMs.blockAndScore,
    clusterMs: result.stats.timingsMs.cluster,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    candidatesPerRecord: result.stats.candidatePairsPerRecord,
    blockingRecall: truePairs ? trueCandidates / truePairs : 1,
    truePairs,
    all: metrics(result.clusters, t, party, truePairs, false),
    dup: metrics(result.clusters, t, party, truePairs, true),
    clusters: Object.fromEntries(DUPLICATE_SCOPES.map((s) => [s, result.stats.clusters[s]])),
  };
  if (withAllPairs) {
    const t0 = performance.now();
    const base = findDuplicatesInTable(t, {}, 0, allPairs);
    const m = metrics(base.clusters, t, party, truePairs, false);
    out.allPairs = {
      pairs: base.stats.candidatePairs,
      ms: performance.now() - t0,
      f1: m.f1,
      precision: m.precision,
      recall: m.recall,
    };
  }
  return out;
}

interface GeneratorResult {
  records: number;
  ms: number;
  /** RSS of the child before generating (the Node.js process itself). */
  startRssMb: number;
  maxRssMb: number;
}

/** The generator alone, as `measure` drives it (records streamed, party list kept), without dedupe. */
export function measureGenerator(size: number): GeneratorResult {
  const startRssMb = process.memoryUsage().rss / 1048576;
  const started = performance.now();
  const partyList = new Int32Array(size);
  let n = 0;
  for (const x of generateLabelledRecords({ seed: SEED, parties: size, maxRecords: size }))
    partyList[n++] = x.party;
  return {
    records: n,
    ms: performance.now() - started,
    startRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function inChild<T = SizeResult>(size: number, mode: '' | '--all-pairs' | '--generate-only'): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', String(size), mode], {
      execArgv: ['--max-old-space-size=3072'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => resolve(m as T));
    child.once('error', reject);
    child.once(
      'exit',
      (code) => code !== 0 && reject(new Error(`dedupe bench child for ${size} exited with ${code}`)),
    );
  });
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

function rows(r: SizeResult, gen?: GeneratorResult): BenchRow[] {
  const k = r.size >= 1_000_000 ? `${r.size / 1_000_000}M` : `${r.size / 1000}k`;
  const out: BenchRow[] = [
    {
      name: `dedupe ${k}: wall time`,
      value: Math.round(r.wallMs / 100) / 10,
      unit: 's',
      note: `generate+prepare ${Math.round(r.prepareMs / 1000)} s, block+score ${Math.round(r.blockScoreMs / 1000)} s, cluster ${Math.round(r.clusterMs / 1000)} s; ${r.records} records`,
    },
    { name: `dedupe ${k}: peak RSS`, value: Math.round(r.maxRssMb), unit: 'MB' },
    ...(gen
      ? [
          {
            name: `dedupe ${k}: generator alone, peak RSS`,
            value: Math.round(gen.maxRssMb),
            unit: 'MB',
            note: `${gen.records} records generated in ${Math.round(gen.ms / 100) / 10} s, no dedupe; the Node.js process itself ${Math.round(gen.startRssMb)} MB`,
          },
        ]
      : []),
    { name: `dedupe ${k}: candidate pairs per record`, value: r.candidatesPerRecord, unit: 'pairs' },
    {
      name: `dedupe ${k}: blocking recall`,
      value: r3(r.blockingRecall),
      unit: 'ratio',
      note: `${r.truePairs} same-party pairs`,
    },
    {
      name: `dedupe ${k}: precision`,
      value: r3(r.all.precision),
      unit: 'ratio',
      note: `clusters possible+duplicate, ${r.all.predicted} predicted pairs`,
    },
    { name: `dedupe ${k}: recall`, value: r3(r.all.recall), unit: 'ratio' },
    { name: `dedupe ${k}: F1`, value: r3(r.all.f1), unit: 'ratio' },
    {
      name: `dedupe ${k}: F1 (duplicate level only)`,
      value: r3(r.dup.f1),
      unit: 'ratio',
      note: `precision ${r3(r.dup.precision)}, recall ${r3(r.dup.recall)}`,
    },
  ];
  if (r.allPairs) {
    out.push(
      {
        name: `dedupe ${k}: all-pairs baseline F1`,
        value: r3(r.allPairs.f1),
        unit: 'ratio',
        note: `blocked F1 ${r3(r.all.f1)}; precision ${r3(r.allPairs.precision)}, recall ${r3(r.allPairs.recall)}`,
      },
      {
        name: `dedupe ${k}: all-pairs baseline time`,
        value: Math.round(r.allPairs.ms / 100) / 10,
        unit: 's',
        note: `${r.allPairs.pairs} pairs scored vs ${Math.round(r.candidatesPerRecord * r.records)} with blocking`,
      },
    );
  }
  return out;
}

/** `args`: sizes in records (default 100000 1000000); the 5k all-pairs baseline always runs. */
export const run: BenchRun = async (args = []) => {
  const given = args.map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const sizes = given.length ? given : [100_000, 1_000_000];
  const out: BenchRow[] = [];
  out.push(...rows(await inChild(5_000, '--all-pairs')));
  for (const size of sizes) {
    const gen = await inChild<GeneratorResult>(size, '--generate-only');
    out.push(...rows(await inChild(size, ''), gen));
  }
  return out;
};

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && process.argv[2] === '--child') {
  const size = Number(process.argv[3]);
  const result =
    process.argv[4] === '--generate-only'
      ? measureGenerator(size)
      : measure(size, process.argv[4] === '--all-pairs');
  process.send!(result, () => process.exit(0));
} else if (isMain) {
  run(process.argv.slice(2)).then(
    (r) => console.table(r),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
