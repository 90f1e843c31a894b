import { clusterPairs, type ScoredEdges } from './cluster.js';

function edges(list: [number, number, number][]): ScoredEdges {
  return {
    a: list.map((e) => e[0]),
    b: list.map((e) => e[1]),
    score: list.map((e) => e[2]),
    length: list.length,
  };
}

describe('clusterPairs', () => {
  const compareRows = (a: number, b: number) => a - b;

  it('joins linked rows and keeps the weakest merging link as the cluster score', () => {
    const scores = new Map([
      ['0-1', 0.95],
      ['1-2', 0.85],
      ['0-2', 0.9],
    ]);
    const out = clusterPairs(
      edges([
        [0, 1, 0.95],
        [1, 2, 0.85],
      ]),
      {
        guardThreshold: 0.78,
        compareRows,
        score: (a, b) => ({ score: scores.get(`${Math.min(a, b)}-${Math.max(a, b)}`) ?? 0, conflict: false }),
      },
    );
    expect(out.clusters).toEqual([
      {
        rows: [0, 1, 2],
        score: 0.85,
        links: [
          { a: 0, b: 1, score: 0.95 },
          { a: 1, b: 2, score: 0.85 },
        ],
      },
    ]);
  });

  it('guard: one record without INN does not chain two namesakes with different INNs', () => {
    // 0 = Ромашка (INN A, Moscow), 1 = Ромашка (no INN), 2 = Ромашка (INN B, Kazan).
    const out = clusterPairs(
      edges([
        [0, 1, 0.85],
        [1, 2, 0.85],
      ]),
      {
        guardThreshold: 0.78,
        compareRows,
        score: (a, b) =>
          Math.min(a, b) === 0 && Math.max(a, b) === 2
            ? { score: 0.3, conflict: true }
            : { score: 0.85, conflict: false },
      },
    );
    expect(out.clusters.map((c) => c.rows)).toEqual([[0, 1]]);
    expect(out.guardRejections).toBe(1);
  });

  it('guard: a weak bridge between two groups is refused when the mean cross score is low', () => {
    // {0,1} and {2,3} are tight; 1–2 is a weak link; the rows across score 0.2.
    const tight = new Set(['0-1', '2-3', '1-2']);
    const out = clusterPairs(
      edges([
        [0, 1, 1],
        [2, 3, 1],
        [1, 2, 0.8],
      ]),
      {
        guardThreshold: 0.78,
        compareRows,
        score: (a, b) => ({
          score: tight.has(`${Math.min(a, b)}-${Math.max(a, b)}`) ? 0.8 : 0.2,
          conflict: false,
        }),
      },
    );
    expect(out.clusters.map((c) => c.rows)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('is deterministic: the same pairs in another order give the same clusters', () => {
    const list: [number, number, number][] = [
      [5, 6, 0.9],
      [1, 2, 0.9],
      [2, 3, 0.95],
      [7, 8, 0.8],
    ];
    const opts = { guardThreshold: 0.5, compareRows, score: () => ({ score: 0.9, conflict: false }) };
    const a = clusterPairs(edges(list), opts);
    const b = clusterPairs(edges([...list].reverse()), opts);
    expect(b).toEqual(a);
    expect(a.clusters.map((c) => c.rows)).toEqual([
      [1, 2, 3],
      [5, 6],
      [7, 8],
    ]);
  });
});
