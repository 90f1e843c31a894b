import { BlockIndex, type KeySource, type RowOrder } from './block-index.js';
import { drive } from './block.js';
import { mulberry32 } from '../../sim/common/prng.js';

/** Rows 0..n-1 ordered by a given rank. */
function orderOf(rank: number[]): RowOrder {
  const row = new Int32Array(rank.length);
  rank.forEach((k, r) => (row[k] = r));
  return { rank: Int32Array.from(rank), row };
}

const source = (keys: number[][]): KeySource => ({
  bound: keys.reduce((s, k) => s + k.length, 0),
  keysOf: (r, out) => {
    out.length = 0;
    out.push(...keys[r]);
  },
});

/** What the index should hold, computed the obvious way (a Map of arrays per source). */
function expected(n: number, sources: number[][][], rank: number[]) {
  const blocks: number[][] = [];
  for (const keys of sources) {
    const byKey = new Map<number, Set<number>>();
    for (let r = 0; r < n; r++) for (const k of keys[r]) byKey.set(k, (byKey.get(k) ?? new Set()).add(r));
    for (const k of [...byKey.keys()].sort((a, b) => a - b)) {
      const rows = [...byKey.get(k)!].sort((a, b) => rank[a] - rank[b]);
      if (rows.length >= 2) blocks.push(rows);
    }
  }
  return blocks;
}

function blocksOf(ix: BlockIndex): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < ix.blockCount; b++)
    out.push(Array.from(ix.rows.subarray(ix.start[b], ix.start[b + 1])));
  return out;
}

describe('BlockIndex', () => {
  // Rows 0..5, name order 3, 1, 0, 5, 2, 4.
  const rank = [2, 1, 4, 0, 5, 3];
  const inn = [[7], [7], [], [9], [7], [11]]; // key 11: one row only → no block
  const phone = [[1e10 + 5, 1e10 + 6], [], [1e10 + 6], [1e10 + 6], [], [1e10 + 5]];
  const typo = [[0.5], [0.5, 0.5], [2 ** 52], [2 ** 52], [], [0.25, 0.25]]; // row 5 gives 0.25 twice: no block
  const ix = drive(BlockIndex.build(6, [source(inn), source(phone), source(typo)], orderOf(rank)));

  it('groups rows sharing a key into blocks, in source then key order, rows in name order', () => {
    expect(blocksOf(ix)).toEqual([
      [1, 0, 4], // inn 7
      [0, 5], // phone …5
      [3, 0, 2], // phone …6
      [1, 0], // typo 0.5 (row 1 once)
      [3, 2], // typo 2^52
    ]);
    expect(ix.sourceStart).toEqual([0, 1, 3, 5]);
    expect(ix.size(2)).toBe(3);
  });

  it('lists each row’s blocks in ascending order', () => {
    const per = (r: number) => Array.from(ix.rowBlocks.subarray(ix.rowStart[r], ix.rowStart[r + 1]));
    expect([0, 1, 2, 3, 4, 5].map(per)).toEqual([[0, 1, 2, 3], [0, 3], [2, 4], [2, 4], [0], [1]]);
  });

  it('finds a row’s position inside a block', () => {
    expect(ix.positionIn(2, 3)).toBe(0);
    expect(ix.positionIn(2, 0)).toBe(1);
    expect(ix.positionIn(2, 2)).toBe(2);
    expect(ix.positionIn(2, 5)).toBe(-1);
  });

  it('matches a Map-of-arrays index on random keys', () => {
    const rnd = mulberry32(3);
    const n = 400;
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => rnd() - 0.5);
    const sources = [0, 1, 2].map((s) =>
      Array.from({ length: n }, () =>
        Array.from({ length: Math.floor(rnd() * 4) }, () => Math.floor(rnd() * 60 * (s + 1)) * 2 ** (s * 20)),
      ),
    );
    const big = drive(BlockIndex.build(n, sources.map(source), orderOf(perm)));
    const want = expected(n, sources, perm);
    expect(blocksOf(big)).toEqual(want);
    for (let b = 0; b < want.length; b++)
      want[b].forEach((r, pos) => expect({ b, r, pos: big.positionIn(b, r) }).toEqual({ b, r, pos }));
    for (let r = 0; r < n; r++) {
      const mine = Array.from(big.rowBlocks.subarray(big.rowStart[r], big.rowStart[r + 1]));
      expect(mine).toEqual(want.flatMap((rows, b) => (rows.includes(r) ? [b] : [])));
    }
  });

  it('refuses a source whose bound is too small', () => {
    expect(() =>
      drive(
        BlockIndex.build(
          2,
          [{ bound: 1, keysOf: (_, out) => out.splice(0, out.length, 1, 2) }],
          orderOf([0, 1]),
        ),
      ),
    ).toThrow(RangeError);
  });
});
