import { BlockIndex, MAX_INDEX_ROWS, type KeySource, type RowOrder } from './block-index.js';
import type { DedupeBlockingOptions } from './dedupe.types.js';
import type { RecordTable } from './record-table.js';
import type { TextPool } from './text-pool.js';

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
 * The blocks of every key type but the global one live in a `BlockIndex` (flat typed arrays, built one
 * key type at a time); the global key's block is simply all rows in name-key order.
 */

/** Key types in the order their blocks are visited (`sorted`, the global key, last). */
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
type KeyType = Exclude<(typeof KEY_TYPES)[number], 'sorted'>;

export interface BlockingStats {
  blocks: number;
  oversizedBlocks: number;
  /** Pairs handed to `visit` (distinct, after the pair filter). */
  candidatePairs: number;
}

/** Rows in order of a text column (ties: canonical row order): the row at each rank. */
function orderBy(t: RecordTable, col: TextPool): Int32Array {
  const n = t.size;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => col.compare(a, b) || t.compareRows(a, b));
  return order;
}

function rankOf(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) rank[order[i]] = i;
  return rank;
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

/** The key sources of a table, one per key type but the global one, in `KEY_TYPES` order. */
function keySources(t: RecordTable): KeySource[] {
  const n = t.size;
  const text: string[] = [];
  const hashed = (gen: (row: number, out: string[]) => void) => (row: number, out: number[]) => {
    gen(row, text);
    out.length = 0;
    for (const k of text) out.push(hashKey(k));
  };
  let typoBound = 0;
  let personBound = 0;
  for (let r = 0; r < n; r++) {
    const len = t.sortedKey.length(r);
    typoBound += len < 4 ? 0 : len <= 10 ? len + 1 : 2;
    if (t.person.data[r] === 1) personBound += t.core[r].split(' ').length;
  }
  const sources: Record<KeyType, KeySource> = {
    inn: {
      bound: n,
      keysOf: (r, out) => {
        out.length = 0;
        if (!Number.isNaN(t.inn.data[r])) out.push(t.inn.data[r]);
      },
    },
    ogrn: {
      bound: n,
      keysOf: (r, out) => {
        out.length = 0;
        if (!Number.isNaN(t.ogrn.data[r])) out.push(t.ogrn.data[r]);
      },
    },
    phone: {
      bound: t.ph.length,
      keysOf: (r, out) => {
        out.length = 0;
        for (let i = t.phOff.data[r]; i < t.phOff.data[r + 1]; i++) out.push(t.ph.data[i]);
      },
    },
    email: {
      bound: t.em.length,
      keysOf: (r, out) => {
        out.length = 0;
        for (let i = t.emOff.data[r]; i < t.emOff.data[r + 1]; i++) out.push(t.em.data[i]);
      },
    },
    domain: {
      bound: t.em.length,
      keysOf: (r, out) => {
        out.length = 0;
        for (let i = t.emOff.data[r]; i < t.emOff.data[r + 1]; i++) {
          const d = t.emailDomain.data[t.em.data[i]];
          if (t.domainFree.data[d] === 0) out.push(d);
        }
      },
    },
    token: { bound: t.tok.length, keysOf: (r, out) => tokenKeysOf(t, r, out) },
    person: {
      bound: personBound,
      keysOf: hashed((r, out) => {
        if (t.person.data[r] === 1) personKeys(t.core[r].split(' '), out);
        else out.length = 0;
      }),
    },
    typo: { bound: typoBound, keysOf: hashed((r, out) => typoKeys(t.sortedKey.get(r), out)) },
  };
  return KEY_TYPES.filter((k): k is KeyType => k !== 'sorted').map((k) => sources[k]);
}

/** Counts namesakes (the scorer reads them) and builds the block index in name order. */
function* indexRows(t: RecordTable): Generator<void, BlockIndex> {
  // Its own generator: the name order it holds goes when it returns (the index keeps the ranks only).
  const row = orderBy(t, t.compact);
  t.countNameInns(row); // the scorer reads it; the name order is at hand here
  const byName: RowOrder = { row, rank: rankOf(row) };
  yield;
  const index = yield* BlockIndex.build(t.size, keySources(t), byName);
  yield;
  return index;
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
  if (n > MAX_INDEX_ROWS) throw new RangeError(`dedupe handles up to ${MAX_INDEX_ROWS} records per run`);
  const index = yield* indexRows(t);
  // The global key: every row with a name key, in name-key order.
  const sortedRows = (() => {
    const order = orderBy(t, t.sortedKey);
    let first = 0;
    while (first < n && t.sortedKey.length(order[first]) === 0) first++;
    return order.slice(first);
  })();
  yield;

  const maxBlock = opts.maxBlockSize;
  const window = opts.window;
  const { rowStart, rowBlocks } = index;
  /** True when rows a and b share a block before `block` that produces their pair. */
  const producedEarlier = (a: number, b: number, block: number): boolean => {
    let i = rowStart[a];
    const i1 = rowStart[a + 1];
    let j = rowStart[b];
    const j1 = rowStart[b + 1];
    while (i < i1 && j < j1) {
      const ka = rowBlocks[i];
      const kb = rowBlocks[j];
      if (ka >= block || kb >= block) return false;
      if (ka < kb) i++;
      else if (kb < ka) j++;
      else {
        if (index.size(ka) <= maxBlock) return true;
        if (Math.abs(index.positionIn(ka, a) - index.positionIn(ka, b)) <= window) return true;
        i++;
        j++;
      }
    }
    return false;
  };

  const stats: BlockingStats = { blocks: 0, oversizedBlocks: 0, candidatePairs: 0 };
  const consider = (x: number, y: number, block: number) => {
    const a = x < y ? x : y;
    const b = x < y ? y : x;
    if (!include(a, b)) return;
    if (producedEarlier(a, b, block)) return;
    stats.candidatePairs++;
    visit(a, b);
  };
  const scan = (start: number, end: number, block: number) => {
    if (end - start < 2) return;
    const rows = index.rows;
    stats.blocks++;
    if (end - start <= maxBlock) {
      for (let i = start; i < end; i++) for (let j = i + 1; j < end; j++) consider(rows[i], rows[j], block);
    } else {
      stats.oversizedBlocks++;
      for (let i = start; i < end; i++) {
        const to = Math.min(end, i + 1 + window);
        for (let j = i + 1; j < to; j++) consider(rows[i], rows[j], block);
      }
    }
  };
  yield;
  const blocks = index.blockCount;
  let sinceYield = 0;
  for (let k = 0; k < blocks; k++) {
    scan(index.start[k], index.start[k + 1], k);
    if (++sinceYield === BLOCKS_PER_STEP) {
      sinceYield = 0;
      yield;
    }
  }
  // The global key is a sorted neighbourhood whatever its size (on a small input too); it comes last,
  // so no other key finds it "earlier". Scanned in slices: it is one block of every row.
  const slice = BLOCKS_PER_STEP * 10;
  if (sortedRows.length > 1) {
    stats.blocks++;
    stats.oversizedBlocks++;
  }
  for (let from = 0; from < sortedRows.length; from += slice) {
    const to = Math.min(sortedRows.length, from + slice);
    for (let i = from; i < to; i++) {
      const end = Math.min(sortedRows.length, i + 1 + window);
      for (let j = i + 1; j < end; j++) consider(sortedRows[i], sortedRows[j], blocks);
    }
    yield;
  }
  return stats;
}
