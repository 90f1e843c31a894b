/**
 * The blocks of a run as flat typed arrays: which rows share a key, and which keys each row has. Pure.
 *
 * Keys come from sources (one per key type, in order); a key is any number (a code, an interned id, a
 * 53-bit hash). Blocks are numbered in source order, then by key value, so block numbers order keys the
 * way blocking needs ("the smallest key that produces a pair"). Only keys carried by two or more rows
 * become blocks: a key of one row pairs nothing, and at a million records a fifth of all keys are such.
 *
 * Storage, for B blocks, E entries (row, key) and n rows: `start` (B + 1) and `rows` (E) list each
 * block's rows in name order; `rowStart` (n + 1) and `rowBlocks` (E) list each row's blocks in
 * ascending order. Four int32 arrays in all, 4·(2E + B + n) bytes — no Map, no array per key, no
 * position per entry (`positionIn` finds one by binary search when a large block needs it).
 *
 * Built one source at a time: its keys in row order, the distinct keys of 2+ rows, then key number ×
 * 2^22 + name rank packed into one double per entry so that one native sort of a Float64Array groups
 * the blocks with their rows in name order. The peak is the largest source's keys (three doubles per
 * key), not all sources' at once.
 */

/** Rows a build handles (name ranks are packed into 22 bits). */
export const MAX_INDEX_ROWS = 2 ** 22 - 1;
const ORD = 2 ** 22;

/** The keys of one type: each row's keys (duplicates allowed), and an upper bound of their total. */
export interface KeySource {
  /** At least the number of keys `keysOf` gives over all rows. */
  bound: number;
  /** Sets `out` to the keys of `row`. */
  keysOf: (row: number, out: number[]) => void;
}

export interface RowOrder {
  /** Name rank of each row (a permutation of 0..n-1). */
  rank: Int32Array;
  /** Row at each rank (the inverse). */
  row: Int32Array;
}

export class BlockIndex {
  private constructor(
    /** Block k holds rows[start[k]..start[k + 1]). */
    readonly start: Int32Array,
    /** Rows of the blocks, each block in name order. */
    readonly rows: Int32Array,
    /** Row r is in blocks rowBlocks[rowStart[r]..rowStart[r + 1]), ascending. */
    readonly rowStart: Int32Array,
    readonly rowBlocks: Int32Array,
    /** First block of each source (and the block count last). */
    readonly sourceStart: readonly number[],
    /** Name rank of each row (the order inside blocks). */
    readonly rank: Int32Array,
  ) {}

  get blockCount(): number {
    return this.start.length - 1;
  }

  size(block: number): number {
    return this.start[block + 1] - this.start[block];
  }

  /** Position of `row` inside `block` (0-based, name order), or -1 when the row is not in it. */
  positionIn(block: number, row: number): number {
    const want = this.rank[row];
    let lo = this.start[block];
    let hi = this.start[block + 1];
    const from = lo;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rank[this.rows[mid]] < want) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.start[block + 1] && this.rows[lo] === row ? lo - from : -1;
  }

  /**
   * Builds the index over `n` rows, yielding after each source (an async caller can let the event loop
   * run). `order` gives the order of rows inside a block.
   */
  static *build(n: number, sources: readonly KeySource[], order: RowOrder): Generator<void, BlockIndex> {
    if (n > MAX_INDEX_ROWS) throw new RangeError(`a block index handles up to ${MAX_INDEX_ROWS} rows`);
    const parts: { rows: Int32Array; sizes: Int32Array }[] = [];
    for (const source of sources) {
      parts.push(blocksOf(n, source, order));
      yield;
    }
    // Concatenate the sources: block numbers continue across them.
    let entries = 0;
    let blocks = 0;
    const sourceStart: number[] = [];
    for (const p of parts) {
      sourceStart.push(blocks);
      entries += p.rows.length;
      blocks += p.sizes.length;
    }
    sourceStart.push(blocks);
    const rows = new Int32Array(entries);
    const start = new Int32Array(blocks + 1);
    let e = 0;
    let k = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      rows.set(p.rows, e);
      e += p.rows.length;
      for (let j = 0; j < p.sizes.length; j++, k++) start[k + 1] = start[k] + p.sizes[j];
      parts[i] = { rows: new Int32Array(0), sizes: new Int32Array(0) }; // let the part go
    }
    yield;
    // Per row: its blocks, ascending (blocks are visited in order).
    const rowStart = new Int32Array(n + 1);
    for (let i = 0; i < entries; i++) rowStart[rows[i] + 1]++;
    for (let r = 0; r < n; r++) rowStart[r + 1] += rowStart[r];
    const fill = rowStart.slice(0, n);
    const rowBlocks = new Int32Array(entries);
    for (let b = 0; b < blocks; b++)
      for (let i = start[b]; i < start[b + 1]; i++) rowBlocks[fill[rows[i]]++] = b;
    return new BlockIndex(start, rows, rowStart, rowBlocks, sourceStart, order.rank);
  }
}

/** The blocks of one source: rows (each block in name order, a row once) and block sizes, in key order. */
function blocksOf(n: number, source: KeySource, order: RowOrder): { rows: Int32Array; sizes: Int32Array } {
  // Keys in row order; the row of an entry is implied by per-row offsets.
  const off = new Int32Array(n + 1);
  const vals = new Float64Array(source.bound);
  const out: number[] = [];
  let p = 0;
  for (let r = 0; r < n; r++) {
    source.keysOf(r, out);
    if (p + out.length > vals.length) throw new RangeError(`key source bound ${source.bound} too small`);
    for (const v of out) vals[p++] = v;
    off[r + 1] = p;
  }
  // Distinct keys given at least twice (by two rows, or twice by one: such a block of one row is dropped below).
  const shared = vals.slice(0, p).sort();
  let u = 0;
  for (let i = 0; i < p;) {
    let j = i + 1;
    while (j < p && shared[j] === shared[i]) j++;
    if (j - i >= 2) shared[u++] = shared[i];
    i = j;
  }
  const keys = shared.slice(0, u);
  // Packed entries, written over the keys (entry q ≤ i always).
  let q = 0;
  for (let r = 0; r < n; r++) {
    const ord = order.rank[r];
    for (let i = off[r]; i < off[r + 1]; i++) {
      const k = indexOf(keys, vals[i]);
      if (k >= 0) vals[q++] = k * ORD + ord;
    }
  }
  const packed = vals.subarray(0, q).sort();
  const rows = new Int32Array(q);
  const sizes = new Int32Array(u);
  let m = 0;
  for (let i = 0; i < q; i++) {
    if (i > 0 && packed[i] === packed[i - 1]) continue; // one row, one key, given twice
    const k = Math.floor(packed[i] / ORD);
    rows[m++] = order.row[packed[i] - k * ORD];
    sizes[k]++;
  }
  // Keys that turned out to be one row's (given twice) leave blocks of one row: drop them.
  let kept = 0;
  let from = 0;
  let to = 0;
  for (let k = 0; k < u; k++) {
    const s = sizes[k];
    if (s >= 2) {
      if (to !== from) rows.copyWithin(to, from, from + s);
      sizes[kept++] = s;
      to += s;
    }
    from += s;
  }
  return {
    rows: to === rows.length ? rows : rows.slice(0, to),
    sizes: kept === sizes.length ? sizes : sizes.slice(0, kept),
  };
}

/** Index of `v` in the sorted distinct `keys`, or -1. */
function indexOf(keys: Float64Array, v: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < keys.length && keys[lo] === v ? lo : -1;
}
