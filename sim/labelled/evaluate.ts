import { DUPLICATE_SCOPES, type DuplicateScope } from '../../src/common/vocabulary.js';
import type { DedupeRecord, DuplicateLevel } from '../../src/dedupe/dedupe.types.js';
import type { DuplicateCluster } from '../../src/reconcile/reconcile.types.js';
import { pairScope } from './labelled-dataset.js';

/** Pairwise precision / recall / F1 of clusters against labelled parties (tests and benchmarks). */
export interface PairwiseMetrics {
  truePairs: number;
  predictedPairs: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Same-party pairs per scope (a record and its linked CRM copy are in no scope). */
export function countTruePairs(
  records: readonly DedupeRecord[],
  party: Int32Array,
  scopes: readonly DuplicateScope[] = DUPLICATE_SCOPES,
): number {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < records.length; i++) {
    const g = groups.get(party[i]);
    if (g) g.push(i);
    else groups.set(party[i], [i]);
  }
  let n = 0;
  for (const g of groups.values()) {
    for (let x = 0; x < g.length; x++) {
      for (let y = x + 1; y < g.length; y++) {
        const s = pairScope(records[g[x]], records[g[y]]);
        if (s && scopes.includes(s)) n++;
      }
    }
  }
  return n;
}

/**
 * Scores clusters: every pair of members whose own scope is the cluster's scope is a predicted pair;
 * it is right when both records belong to one party. `rowOf` maps a member back to its record index.
 */
export function pairwiseMetrics(
  clusters: readonly (DuplicateCluster & { level?: DuplicateLevel })[],
  truePairs: number,
  rowOf: (m: { system: 'onec' | 'crm'; id: string }) => number,
  records: { system: (row: number) => 'onec' | 'crm'; linked: (row: number) => boolean },
  party: Int32Array,
  level: DuplicateLevel = 'possible',
): PairwiseMetrics {
  let predicted = 0;
  let tp = 0;
  for (const c of clusters) {
    if (level === 'duplicate' && c.level && c.level !== 'duplicate') continue;
    const rows = c.members.map(rowOf);
    for (let x = 0; x < rows.length; x++) {
      for (let y = x + 1; y < rows.length; y++) {
        const a = rows[x];
        const b = rows[y];
        const sa = records.system(a);
        const sb = records.system(b);
        const scope = sa === sb ? sa : records.linked(sa === 'crm' ? a : b) ? null : 'cross';
        if (scope !== c.scope) continue;
        predicted++;
        if (party[a] === party[b]) tp++;
      }
    }
  }
  const precision = predicted ? tp / predicted : 1;
  const recall = truePairs ? tp / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { truePairs, predictedPairs: predicted, truePositives: tp, precision, recall, f1 };
}
