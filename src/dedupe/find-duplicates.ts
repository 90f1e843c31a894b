import { createHash } from 'node:crypto';
import { DUPLICATE_SCOPES, type DuplicateScope } from '../common/vocabulary.js';
import { candidatePairSteps, drive, type BlockingStats } from './block.js';
import { clusterPairs } from './cluster.js';
import {
  DEFAULT_BLOCKING,
  DEFAULT_THRESHOLDS,
  type DedupeCluster,
  type DedupeOptions,
  type DedupeRecord,
  type DedupeResult,
  type DedupeStats,
  type DuplicatePairDetail,
  type PairReason,
} from './dedupe.types.js';
import { RecordTable } from './record-table.js';
import { scorePair, type ScoreContext } from './score-pair.js';

/**
 * The whole pipeline on prepared rows: block → score → cluster, per scope. Pure apart from reading a
 * monotonic clock for the stage timings it reports (no effect on the result).
 *
 * Scopes of a pair (each pair belongs to at most one):
 * - `onec`: two 1C records;
 * - `crm`: two CRM records (linked or not);
 * - `cross`: a 1C record and a CRM record that is NOT linked to 1C (a linked one is already matched).
 */

const SCOPE_INDEX: Record<DuplicateScope, number> = { onec: 0, crm: 1, cross: 2 };

class EdgeList {
  a = new Int32Array(256);
  b = new Int32Array(256);
  score = new Float64Array(256);
  length = 0;
  push(a: number, b: number, s: number): void {
    if (this.length === this.a.length) {
      const n = this.length * 2;
      const a2 = new Int32Array(n);
      a2.set(this.a);
      const b2 = new Int32Array(n);
      b2.set(this.b);
      const s2 = new Float64Array(n);
      s2.set(this.score);
      this.a = a2;
      this.b = b2;
      this.score = s2;
    }
    this.a[this.length] = a;
    this.b[this.length] = b;
    this.score[this.length++] = s;
  }
}

/** A deterministic cluster id: UUID-shaped SHA-1 of the scope and the members (system:id, canonical order). */
export function clusterId(scope: DuplicateScope, memberKeys: readonly string[]): string {
  const h = createHash('sha1')
    .update(`${scope}|${memberKeys.join('|')}`)
    .digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function resolve(options: DedupeOptions) {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  // Why: a `possible` above `duplicate` would report sure duplicates as possible and vice versa.
  if (!(
    thresholds.possible >= 0 &&
    thresholds.possible <= thresholds.duplicate &&
    thresholds.duplicate <= 1
  )) {
    throw new RangeError(
      `dedupe thresholds need 0 ≤ possible ≤ duplicate ≤ 1, got possible ${thresholds.possible}, duplicate ${thresholds.duplicate}`,
    );
  }
  const blocking = { ...DEFAULT_BLOCKING, ...options.blocking };
  const ctx: ScoreContext = {
    thresholds,
    branchesAreSameParty: options.branchesAreSameParty ?? false,
    commonPhoneCount: blocking.commonPhoneCount,
  };
  const scopes = new Set(options.scopes ?? DUPLICATE_SCOPES);
  const minLevel = options.minLevel ?? 'possible';
  return { thresholds, blocking, ctx, scopes, minLevel, maxReasons: options.maxReasons ?? 8 };
}

/** Builds the table from records (arrays or any iterable; use `RecordTable.add` to stream). */
export function prepareRecords(records: Iterable<DedupeRecord>): RecordTable {
  const t = new RecordTable();
  for (const r of records) t.add(r);
  return t;
}

/**
 * Where candidate pairs come from: blocking (the default and the only production source). The
 * benchmark plugs in an all-pairs loop on a small set to show that blocking loses no duplicate.
 */
export type CandidateSource = (
  t: RecordTable,
  include: (a: number, b: number) => boolean,
  visit: (a: number, b: number) => void,
) => BlockingStats;

/** Finds duplicate clusters in a prepared table (synchronously). */
export function findDuplicatesInTable(
  t: RecordTable,
  options: DedupeOptions = {},
  prepareMs = 0,
  source?: CandidateSource,
): DedupeResult {
  return drive(findDuplicatesSteps(t, options, prepareMs, source));
}

/**
 * The same, pausing between stages and every few thousand blocks so the event loop keeps serving
 * (health checks, metrics, HTTP) during a large run. Same result as the synchronous form.
 */
export async function findDuplicatesInTableAsync(
  t: RecordTable,
  options: DedupeOptions = {},
  prepareMs = 0,
): Promise<DedupeResult> {
  const steps = findDuplicatesSteps(t, options, prepareMs);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function* findDuplicatesSteps(
  t: RecordTable,
  options: DedupeOptions,
  prepareMs: number,
  source?: CandidateSource,
): Generator<void, DedupeResult> {
  const o = resolve(options);
  const clock = () => performance.now();
  t.release(); // the table is complete: its lookup maps and spare capacity can go before blocking
  t.countPhones();
  const sys = t.system.data;
  const linked = t.linked.data;
  const scopeOf = (a: number, b: number): number => {
    const sa = sys[a];
    const sb = sys[b];
    if (sa === 0 && sb === 0) return 0;
    if (sa === 1 && sb === 1) return 1;
    return (sa === 1 ? linked[a] : linked[b]) === 1 ? -1 : 2;
  };
  const wanted = [o.scopes.has('onec'), o.scopes.has('crm'), o.scopes.has('cross')];
  const include = (a: number, b: number) => {
    const s = scopeOf(a, b);
    return s >= 0 && wanted[s];
  };
  const accept = o.minLevel === 'duplicate' ? o.thresholds.duplicate : o.thresholds.possible;
  const edges = [new EdgeList(), new EdgeList(), new EdgeList()];

  const t0 = clock();
  const visit = (a: number, b: number) => {
    const s = scorePair(t, a, b, o.ctx, false);
    options.onCandidate?.(a, b, s.score);
    if (s.score >= accept) edges[scopeOf(a, b)].push(a, b, s.score);
  };
  const blockStats = source
    ? source(t, include, visit)
    : yield* candidatePairSteps(t, o.blocking, include, visit);
  const t1 = clock();
  const scoreMs = t1 - t0; // blocking and scoring interleave (pairs are scored as blocking finds them)

  const clusters: DedupeCluster[] = [];
  const pairs: DuplicatePairDetail[] = [];
  let guardRejections = 0;
  const clusterCounts = { onec: 0, crm: 0, cross: 0 };
  const memberOf = (r: number) => ({
    system: t.systemName(r),
    id: t.id(r),
    name: t.name(r),
    inn: t.innText(r),
  });
  for (const scope of DUPLICATE_SCOPES) {
    if (!o.scopes.has(scope)) continue;
    const outcome = clusterPairs(edges[SCOPE_INDEX[scope]], {
      guardThreshold: o.thresholds.possible,
      compareRows: (a, b) => t.compareRows(a, b),
      score: (a, b) => scorePair(t, a, b, o.ctx, false),
    });
    guardRejections += outcome.guardRejections;
    yield;
    for (const c of outcome.clusters) {
      // One member object per row, shared by the cluster and its pairs (texts decoded once).
      const members = c.rows.map(memberOf);
      const memberAt = (row: number) => members[c.rows.indexOf(row)];
      const id = clusterId(
        scope,
        members.map((m) => `${m.system}:${m.id}`),
      );
      const level = c.score >= o.thresholds.duplicate ? 'duplicate' : 'possible';
      const details: PairReason[] = [];
      const seen = new Set<string>();
      for (const l of c.links) {
        const explained = scorePair(t, l.a, l.b, o.ctx, true);
        pairs.push({
          clusterId: id,
          scope,
          a: memberAt(l.a),
          b: memberAt(l.b),
          score: explained.score,
          level: explained.score >= o.thresholds.duplicate ? 'duplicate' : 'possible',
          reasons: explained.reasons,
        });
        for (const r of explained.reasons) {
          if (r.weight <= 0 || seen.has(r.text)) continue;
          seen.add(r.text);
          details.push(r);
        }
      }
      const kept = details.slice(0, o.maxReasons);
      clusters.push({
        id,
        scope,
        score: Math.round(c.score * 100) / 100,
        members,
        reasons: kept.map((r) => r.text),
        level,
        reasonDetails: kept,
      });
      clusterCounts[scope]++;
    }
  }
  const t2 = clock();

  let onec = 0;
  let crmUnlinked = 0;
  for (let r = 0; r < t.size; r++) {
    if (sys[r] === 0) onec++;
    else if (linked[r] === 0) crmUnlinked++;
  }
  const stats: DedupeStats = {
    records: { onec, crm: t.size - onec, crmUnlinked },
    candidatePairs: blockStats.candidatePairs,
    candidatePairsPerRecord: t.size ? Math.round((blockStats.candidatePairs / t.size) * 100) / 100 : 0,
    blocks: blockStats.blocks,
    oversizedBlocks: blockStats.oversizedBlocks,
    acceptedPairs: { onec: edges[0].length, crm: edges[1].length, cross: edges[2].length },
    clusters: clusterCounts,
    guardRejections,
    timingsMs: {
      prepare: Math.round(prepareMs),
      blockAndScore: Math.round(scoreMs),
      cluster: Math.round(t2 - t1),
    },
  };
  return { clusters, pairs, stats };
}

/** Convenience: records in, clusters out. */
export function findDuplicates(records: Iterable<DedupeRecord>, options: DedupeOptions = {}): DedupeResult {
  const t0 = performance.now();
  const t = prepareRecords(records);
  return findDuplicatesInTable(t, options, performance.now() - t0);
}

/** Scores two records on their own (tests, the CLI's `explain`): the pair's score and reasons. */
export function scoreRecords(a: DedupeRecord, b: DedupeRecord, options: DedupeOptions = {}) {
  const t = prepareRecords([a, b]);
  t.countPhones();
  t.countNameInns(Int32Array.from([0, 1]).sort((x, y) => t.compact.compare(x, y) || x - y));
  return scorePair(t, 0, 1, resolve(options).ctx, true);
}
