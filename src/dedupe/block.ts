import type { DedupeBlockingOptions } from './dedupe.types.js';
import type { RecordTable } from './record-table.js';

/**
 * Blocking: which pairs of rows are worth scoring. Never all pairs.
 *
 * Every row gets a few blocking keys: its valid INN, OGRN, each phone, each e-mail address, each
 * corporate e-mail domain (free-mail domains are no key), each name token (transliteration key, 3+
 * letters; digits and initials only when nothing else), typo keys of the name (`typoKeys`), person
 * keys of a sole trader (`personKeys`), plus one global key for a sorted neighbourhood on the
 * word-order- and script-insensitive name key. Rows sharing a key form a block.
 *
 * - A block of up to `maxBlockSize` rows is compared all-pairs.
 * - A larger block (a very common word such as `строй`, a business-centre switchboard, the global
 *   key) is compared only through a sorted neighbourhood: rows sorted by name, each against the next
 *   `window` rows. That caps the work per row whatever the word frequency.
 * - A pair that shares several keys is visited once: at the smallest key that produces it (a small
 *   block, or a large one where the two rows fall within the window). No set of pairs is kept.
 *
 * Keys are numbered densely per type and packed with the row's sort position into one double, so one
 * native sort of a Float64Array groups the blocks (no comparator, no per-entry object).
 */

const ORD_BITS = 2 ** 22; // up to 4 194 304 rows
const KEY_TYPES = ['inn', 'ogrn', 'phone', 'email', 'domain', 'token', 'person', 'typo', 'sorted'] as const;

/** 53-bit string hash (two FNV-1a streams): keys built from text need no interning table. */
export function hashKey(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return (h1 >>> 0) * 2097152 + (h2 & 0x1fffff);
}

/**
 * Typo keys of a name's transliteration key (words sorted, joined): short keys (≤ 10 letters) give
 * every one-letter deletion (two names one edit apart share one: substitution, insertion, deletion
 * or a swap of neighbours); longer ones give their first and last 6 letters (one typo cannot touch both).
 */
export function typoKeys(key: string, out: string[]): void {
  out.length = 0;
  if (key.length < 4) return;
  if (key.length <= 10) {
    out.push(key);
    for (let i = 0; i < key.length; i++) {
      const k = key.slice(0, i) + key.slice(i + 1);
      if (k !== out[out.length - 1]) out.push(k);
    }
  } else {
    out.push(`<${key.slice(0, 6)}`, `>${key.slice(-6)}`);
  }
}

/**
 * Person keys of a sole trader: each full word as a possible surname plus the sorted initials of the
 * other words. `Михайлов Максим Николаевич`, `Михайлов М.Н.` and `Максим Николаевич Михайлов` share
 * `михайлов|мн`; word order does not matter, and which word is the surname need not be known.
 */
export function personKeys(words: readonly string[], out: string[]): void {
  out.length = 0;
  for (let i = 0; i < words.length; i++) {
    if (words[i].length < 2) continue;
    const initials = words
      .filter((_, k) => k !== i)
      .map((w) => w[0])
      .sort()
      .join('');
    out.push(`${words[i]}|${initials}`);
  }
}
type KeyType = (typeof KEY_TYPES)[number];

export interface BlockingStats {
  blocks: number;
  oversizedBlocks: number;
  /** Pairs handed to `visit` (distinct, after the pair filter). */
  candidatePairs: number;
}

class Entries {
  vals = new Float64Array(1024);
  rows = new Int32Array(1024);
  length = 0;
  push(v: number, row: number): void {
    if (this.length === this.vals.length) {
      const v2 = new Float64Array(this.length * 2);
      v2.set(this.vals);
      this.vals = v2;
      const r2 = new Int32Array(this.length * 2);
      r2.set(this.rows);
      this.rows = r2;
    }
    this.vals[this.length] = v;
    this.rows[this.length++] = row;
  }
}

/** Rows in order of a string column (ties: canonical row order); returns rank per row and row per rank. */
function rankBy(t: RecordTable, col: string[]): { rank: Int32Array; row: Int32Array } {
  const n = t.size;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    const x = col[a];
    const y = col[b];
    return x < y ? -1 : x > y ? 1 : t.compareRows(a, b);
  });
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[order[i]] = i;
  return { rank, row: order };
}

function tokenKeysOf(t: RecordTable, row: number, out: number[]): void {
  out.length = 0;
  const tok = t.tok.data;
  const from = t.tokOff.data[row];
  const to = t.tokOff.data[row + 1];
  for (let i = from; i < to; i++) {
    const s = t.tokens.values[tok[i]];
    if (s.length >= 3 && !/^\d+$/.test(s)) out.push(tok[i]);
  }
  if (out.length === 0) for (let i = from; i < to; i++) out.push(tok[i]);
}

/**
 * Visits each candidate pair (a < b by row) once. `include(a, b)` filters pairs cheaply before the
 * de-duplication check (scopes); `visit` scores them.
 */
export function forEachCandidatePair(
  t: RecordTable,
  opts: DedupeBlockingOptions,
  include: (a: number, b: number) => boolean,
  visit: (a: number, b: number) => void,
): BlockingStats {
  return drive(candidatePairSteps(t, opts, include, visit));
}

/** Runs a step generator to its end, synchronously. */
export function drive<T>(steps: Generator<void, T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/** Blocks between two pauses of the step generator (a few hundred ms of work at most). */
const BLOCKS_PER_STEP = 2_000;

/**
 * `forEachCandidatePair` as steps: it yields between its stages and every few thousand blocks, so an
 * async caller can let the event loop breathe during a run over a million records.
 */
export function* candidatePairSteps(
  t: RecordTable,
  opts: DedupeBlockingOptions,
  include: (a: number, b: number) => boolean,
  visit: (a: number, b: number) => void,
): Generator<void, BlockingStats> {
  const n = t.size;
  if (n >= ORD_BITS) throw new RangeError(`dedupe handles up to ${ORD_BITS - 1} records per run`);
  const byType = new Map<KeyType, Entries>(KEY_TYPES.map((k) => [k, new Entries()]));
  const E = (k: KeyType) => byType.get(k)!;
  const tokenKeys: number[] = [];
  const textKeys: string[] = [];
  for (let r = 0; r < n; r++) {
    const inn = t.inn.data[r];
    if (!Number.isNaN(inn)) E('inn').push(inn, r);
    const ogrn = t.ogrn.data[r];
    if (!Number.isNaN(ogrn)) E('ogrn').push(ogrn, r);
    for (let i = t.phOff.data[r]; i < t.phOff.data[r + 1]; i++) E('phone').push(t.ph.data[i], r);
    for (let i = t.emOff.data[r]; i < t.emOff.data[r + 1]; i++) {
      const e = t.em.data[i];
      E('email').push(e, r);
      const d = t.emailDomain.data[e];
      if (t.domainFree.data[d] === 0) E('domain').push(d, r);
    }
    tokenKeysOf(t, r, tokenKeys);
    for (const k of tokenKeys) E('token').push(k, r);
    typoKeys(t.sortedKey[r], textKeys);
    for (const k of textKeys) E('typo').push(hashKey(k), r);
    if (t.person.data[r] === 1) {
      personKeys(t.core[r].split(' '), textKeys);
      for (const k of textKeys) E('person').push(hashKey(k), r);
    }
    if (t.sortedKey[r].length > 0) E('sorted').push(0, r);
  }

  yield;
  const byName = rankBy(t, t.compact);
  t.countNameInns(byName.row); // the scorer reads it; the name order is at hand here
  yield;
  const bySorted = rankBy(t, t.sortedKey);
  yield;

  // The packed array lives only inside this step, so the collector can take it before the per-row lists.
  const { entryRow, entryKey, blockSize, typeStart, total } = (() => {
    // Dense key ids per type, then one packed array: keyId * ORD_BITS + sort position of the row.
    let total = 0;
    for (const e of byType.values()) total += e.length;
    const packed = new Float64Array(total);
    const typeStart: number[] = [];
    const typeOfKey: KeyType[] = [];
    let keyBase = 0;
    let p = 0;
    for (const type of KEY_TYPES) {
      const e = byType.get(type)!;
      const vals = e.vals.subarray(0, e.length);
      const uniq = Float64Array.from(vals).sort();
      let u = 0;
      for (let i = 0; i < uniq.length; i++) if (i === 0 || uniq[i] !== uniq[i - 1]) uniq[u++] = uniq[i];
      const rank = type === 'sorted' ? bySorted.rank : byName.rank;
      for (let i = 0; i < e.length; i++) {
        let lo = 0;
        let hi = u;
        const v = vals[i];
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (uniq[mid] < v) lo = mid + 1;
          else hi = mid;
        }
        packed[p++] = (keyBase + lo) * ORD_BITS + rank[e.rows[i]];
      }
      typeStart.push(keyBase);
      typeOfKey.push(type);
      keyBase += u;
      byType.set(type, new Entries()); // free the entries of this type
    }
    packed.sort();
    const numKeys = keyBase;
    const sortedTypeFrom = (key: number): KeyType => {
      let k = 0;
      while (k + 1 < typeStart.length && typeStart[k + 1] <= key) k++;
      return typeOfKey[k];
    };

    // Decode: row per entry, block boundaries, block sizes.
    const entryRow = new Int32Array(total);
    const entryKey = new Int32Array(total);
    const blockSize = new Int32Array(numKeys);
    let curType: KeyType = 'inn';
    let nextTypeAt = -1;
    for (let i = 0; i < total; i++) {
      const key = Math.floor(packed[i] / ORD_BITS);
      const ord = packed[i] - key * ORD_BITS;
      if (key >= nextTypeAt) {
        curType = sortedTypeFrom(key);
        const typeIdx = KEY_TYPES.indexOf(curType);
        nextTypeAt = typeIdx + 1 < typeStart.length ? typeStart[typeIdx + 1] : Infinity;
      }
      entryKey[i] = key;
      entryRow[i] = curType === 'sorted' ? bySorted.row[ord] : byName.row[ord];
      blockSize[key]++;
    }
    return { entryRow, entryKey, blockSize, typeStart, total };
  })();

  // Per-row lists of (key, position in block), in key order (entries are already in key order).
  const rowOff = new Int32Array(n + 1);
  for (let i = 0; i < total; i++) rowOff[entryRow[i] + 1]++;
  for (let r = 0; r < n; r++) rowOff[r + 1] += rowOff[r];
  const fill = rowOff.slice(0, n);
  const rowKey = new Int32Array(total);
  const rowPos = new Int32Array(total);
  {
    let blockStart = 0;
    for (let i = 0; i < total; i++) {
      if (i > 0 && entryKey[i] !== entryKey[i - 1]) blockStart = i;
      const r = entryRow[i];
      const slot = fill[r]++;
      rowKey[slot] = entryKey[i];
      rowPos[slot] = i - blockStart;
    }
  }

  const maxBlock = opts.maxBlockSize;
  const window = opts.window;
  /** True when rows a and b share a key smaller than `key` that produces their pair. */
  const producedEarlier = (a: number, b: number, key: number): boolean => {
    let i = rowOff[a];
    const i1 = rowOff[a + 1];
    let j = rowOff[b];
    const j1 = rowOff[b + 1];
    while (i < i1 && j < j1) {
      const ka = rowKey[i];
      const kb = rowKey[j];
      if (ka >= key || kb >= key) return false;
      if (ka < kb) i++;
      else if (kb < ka) j++;
      else {
        if (blockSize[ka] <= maxBlock || Math.abs(rowPos[i] - rowPos[j]) <= window) return true;
        i++;
        j++;
      }
    }
    return false;
  };

  // The global key is a sorted neighbourhood whatever its size (on a small input too); it is the last
  // key, so no other key finds it "earlier".
  const sortedKey = typeStart[KEY_TYPES.indexOf('sorted')];
  const stats: BlockingStats = { blocks: 0, oversizedBlocks: 0, candidatePairs: 0 };
  const consider = (x: number, y: number, key: number) => {
    const a = x < y ? x : y;
    const b = x < y ? y : x;
    if (!include(a, b)) return;
    if (producedEarlier(a, b, key)) return;
    stats.candidatePairs++;
    visit(a, b);
  };
  yield;
  let start = 0;
  let sinceYield = 0;
  while (start < total) {
    const key = entryKey[start];
    let end = start + 1;
    while (end < total && entryKey[end] === key) end++;
    const size = end - start;
    if (size > 1) {
      stats.blocks++;
      if (size <= maxBlock && key !== sortedKey) {
        for (let i = start; i < end; i++)
          for (let j = i + 1; j < end; j++) consider(entryRow[i], entryRow[j], key);
      } else {
        stats.oversizedBlocks++;
        for (let i = start; i < end; i++) {
          const to = Math.min(end, i + 1 + window);
          for (let j = i + 1; j < to; j++) consider(entryRow[i], entryRow[j], key);
        }
      }
    }
    start = end;
    if (++sinceYield === BLOCKS_PER_STEP) {
      sinceYield = 0;
      yield;
    }
  }
  return stats;
}
