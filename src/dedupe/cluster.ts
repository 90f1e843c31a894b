/**
 * Clusters accepted pairs: union-find in order of decreasing score, with a guard against chaining.
 * Pure; works on row numbers and takes the scorer and the row order as functions.
 */

export interface ScoredEdges {
  a: ArrayLike<number>;
  b: ArrayLike<number>;
  score: ArrayLike<number>;
  length: number;
}

export interface RowCluster {
  /** Rows in canonical order. */
  rows: number[];
  /** The weakest link that holds the cluster together (min score of the merging pairs). */
  score: number;
  /** The pairs that merged the cluster, strongest first. */
  links: { a: number; b: number; score: number }[];
}

export interface ClusterOptions {
  /** Mean cross score two groups need to merge (the `possible` threshold). */
  guardThreshold: number;
  /** Canonical order of rows (system, then id): ties and output order. */
  compareRows: (a: number, b: number) => number;
  /** Scores any two rows (the guard compares rows that no accepted pair linked). */
  score: (a: number, b: number) => { score: number; conflict: boolean };
  /** Members per side the guard compares (default 16: 256 pairs at most per merge). */
  guardSample?: number;
}

export interface ClusterOutcome {
  clusters: RowCluster[];
  /** Merges the guard refused. */
  guardRejections: number;
}

/**
 * Builds clusters from accepted pairs.
 *
 * Rules and tie-breaks:
 * - Pairs are taken by decreasing score; equal scores by the canonical order of their first, then
 *   second row. So the same input gives the same clusters whatever the order records arrived in.
 * - Two single rows linked by an accepted pair merge (the pair itself passed the threshold).
 * - Merging groups of which one has 2+ rows needs every compared cross pair free of conflicts
 *   (different INN/OGRN, a separate branch, another person) and a mean cross score of at least
 *   `guardThreshold`: one weak link cannot chain two unrelated parties (Ромашка of Moscow —
 *   Ромашка without INN — Ромашка of Kazan). The guard compares the first `guardSample` rows of each
 *   side in canonical order.
 * - A refused pair stays refused: later pairs may still merge the same groups if the guard allows.
 * - The cluster score is its weakest merging link (conservative: a cluster is as sure as its
 *   least sure join). Clusters come out by decreasing score, then by their first row.
 */
export function clusterPairs(edges: ScoredEdges, opts: ClusterOptions): ClusterOutcome {
  const sample = opts.guardSample ?? 16;
  const lo = (i: number) => (opts.compareRows(edges.a[i], edges.b[i]) <= 0 ? edges.a[i] : edges.b[i]);
  const hi = (i: number) => (opts.compareRows(edges.a[i], edges.b[i]) <= 0 ? edges.b[i] : edges.a[i]);
  const order = Array.from({ length: edges.length }, (_, i) => i);
  order.sort((x, y) => {
    const s = edges.score[y] - edges.score[x];
    if (s !== 0) return s;
    const c = opts.compareRows(lo(x), lo(y));
    return c !== 0 ? c : opts.compareRows(hi(x), hi(y));
  });

  const parent = new Map<number, number>();
  const members = new Map<number, number[]>();
  const links = new Map<number, { a: number; b: number; score: number }[]>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    let c = x;
    while (c !== r) {
      const next = parent.get(c) ?? c;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  const groupOf = (root: number, row: number) => members.get(root) ?? [row];

  let guardRejections = 0;
  for (const e of order) {
    const a = lo(e);
    const b = hi(e);
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    const A = groupOf(ra, a);
    const B = groupOf(rb, b);
    if (A.length > 1 || B.length > 1) {
      let sum = 0;
      let count = 0;
      let ok = true;
      outer: for (const x of A.slice(0, sample)) {
        for (const y of B.slice(0, sample)) {
          const s = x === a && y === b ? { score: edges.score[e], conflict: false } : opts.score(x, y);
          if (s.conflict) {
            ok = false;
            break outer;
          }
          sum += s.score;
          count++;
        }
      }
      if (!ok || sum / count < opts.guardThreshold) {
        guardRejections++;
        continue;
      }
    }
    // Union: the root is the canonical first row, so ids do not depend on merge order.
    const merged = [...A, ...B].sort(opts.compareRows);
    const root = merged[0];
    parent.set(ra, root);
    parent.set(rb, root);
    parent.set(root, root);
    const l = [...(links.get(ra) ?? []), ...(links.get(rb) ?? []), { a, b, score: edges.score[e] }];
    members.delete(ra);
    members.delete(rb);
    links.delete(ra);
    links.delete(rb);
    members.set(root, merged);
    links.set(root, l);
  }

  const clusters: RowCluster[] = [];
  for (const [root, rows] of members) {
    const l = (links.get(root) ?? []).sort(
      (x, y) => y.score - x.score || opts.compareRows(x.a, y.a) || opts.compareRows(x.b, y.b),
    );
    clusters.push({ rows, score: Math.min(...l.map((x) => x.score)), links: l });
  }
  clusters.sort((x, y) => y.score - x.score || opts.compareRows(x.rows[0], y.rows[0]));
  return { clusters, guardRejections };
}
