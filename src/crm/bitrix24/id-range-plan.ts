import { CrmError, CrmErrorCode } from '../crm.error.js';

/** A half-open id range `[from, to)`; `to = Infinity` has no upper bound (the tail of the id space). */
export interface IdRange {
  from: number;
  to: number;
}

export interface IdRangePlanOptions {
  /** Only ids above this are read (default 0: all). */
  after?: number;
  /** Rows one list call returns at most (Bitrix24: 50, docs/protocols/bitrix24.md#item-methods). */
  pageSize?: number;
  /** List calls per request (Bitrix24 `batch`: 50, docs/protocols/bitrix24.md#batch). */
  commands?: number;
  /** The widest id range one call asks for (default 2^20 ids). */
  maxWidth?: number;
  /**
   * Rows read but not yet passed on because a range below them is still incomplete, kept at most
   * (default pageSize × commands, one batch); above that the highest of them are dropped and read again.
   */
  holdLimit?: number;
}

/** Ids `[from, to)`; `rows` once read completely (null: still to read). */
interface Slot<T> {
  from: number;
  to: number;
  rows: T[] | null;
}

/** Rows a call of the planned width should return on average (80 % of a page: rarely cut off). */
const FILL = 0.8;

/**
 * Plans a full read of an id space in batches of list calls by id range, without `$result` references
 * between the calls (the service does not use them: docs/protocols/bitrix24.md#batch-query-strings).
 * Pure: no I/O.
 *
 * The ids above `after` are tiled by contiguous slots. Each batch asks for the lowest slots still to
 * read, split into ranges of the current width; the last call of a batch takes the rest of its slot
 * whole (for the topmost slot: every id above, `to = Infinity`, i.e. the bulk-export call of
 * docs/protocols/bitrix24.md#bulk-export), so a gap of any size costs one call and the read ends when that
 * call comes back short. A range of `w` ids holds at most `w` rows: with `w = pageSize` a call is complete by
 * construction; a wider call that returns a full page may have been cut off, and the rest of its range (above
 * its highest id) becomes a new slot, read first in the next batch. The width follows the density seen in the
 * last batch (≈ 80 % of a page per call; the page size where ids are dense; at most `maxWidth`).
 *
 * `take()` hands the rows out in ascending id order: rows of a slot above a cut-off one wait (at most
 * `holdLimit` rows; beyond that the highest are forgotten and read again).
 *
 * ```ts
 * const plan = new IdRangePlan<Row>((r) => r.id);
 * while (!plan.done) {
 *   plan.settle(await readRanges(plan.next())); // one request: rows of each range, ascending
 *   yield plan.take();
 * }
 * ```
 */
export class IdRangePlan<T> {
  private readonly slots: Slot<T>[];
  private inFlight: Slot<T>[] = [];
  private readonly pageSize: number;
  private readonly commands: number;
  private readonly maxWidth: number;
  private readonly holdLimit: number;
  /** Width of the ranges of the next batch. */
  private w: number;

  constructor(
    private readonly idOf: (row: T) => number | null,
    opts: IdRangePlanOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? 50;
    this.commands = Math.max(1, opts.commands ?? 50);
    this.maxWidth = Math.max(this.pageSize, opts.maxWidth ?? 2 ** 20);
    this.holdLimit = opts.holdLimit ?? this.pageSize * this.commands;
    this.w = this.pageSize;
    this.slots = [{ from: (opts.after ?? 0) + 1, to: Infinity, rows: null }];
  }

  /** Everything read and taken. */
  get done(): boolean {
    return this.slots.length === 0;
  }

  /** The width the next batch splits slots into. */
  get width(): number {
    return this.w;
  }

  /** Rows read but held back (a range below them is incomplete). */
  get held(): number {
    let n = 0;
    for (const s of this.slots) if (s.rows) n += s.rows.length;
    return n;
  }

  /** The ranges of the next batch, ascending (at most `commands`; none when done). */
  next(): IdRange[] {
    if (this.inFlight.length) throw new Error('IdRangePlan: settle() the previous batch first');
    const out: Slot<T>[] = [];
    for (let i = 0; i < this.slots.length && out.length < this.commands; i++) {
      const s = this.slots[i];
      if (s.rows) continue;
      if (out.length < this.commands - 1 && s.to - s.from > this.w) {
        this.slots.splice(i + 1, 0, { from: s.from + this.w, to: s.to, rows: null });
        s.to = s.from + this.w;
      }
      out.push(s);
    }
    this.inFlight = out;
    return out.map((s) => ({ from: s.from, to: s.to }));
  }

  /**
   * The rows each range of the last `next()` returned (same order; each in ascending id order, at most
   * a page). Throws CrmError BAD_RESPONSE when a full page has no readable id in its range.
   */
  settle(results: readonly T[][]): void {
    const batch = this.inFlight;
    this.inFlight = [];
    if (results.length !== batch.length)
      throw new Error(`IdRangePlan: ${results.length} results for ${batch.length} ranges`);
    let rows = 0;
    let span = 0;
    /** The narrowest id span a cut-off call's page covered (the densest ids seen). */
    let cutSpan = Infinity;
    batch.forEach((s, k) => {
      const got = results[k];
      if (got.length < this.pageSize || s.to - s.from <= this.pageSize) {
        s.rows = got;
        if (Number.isFinite(s.to)) {
          rows += got.length;
          span += s.to - s.from;
        }
        return;
      }
      let first = Infinity;
      let last = -Infinity;
      for (const r of got) {
        const id = this.idOf(r);
        if (id === null) continue;
        if (id < first) first = id;
        if (id > last) last = id;
      }
      if (last === -Infinity)
        throw new CrmError(
          CrmErrorCode.BAD_RESPONSE,
          'Bitrix24 list: a full page without a readable id; cannot page on',
        );
      if (last < s.from)
        throw new CrmError(
          CrmErrorCode.BAD_RESPONSE,
          `Bitrix24 list: a full page for ids from ${s.from} whose highest id is ${last}; cannot page on`,
        );
      if (last + 1 >= s.to) {
        s.rows = got;
        rows += got.length;
        span += s.to - s.from;
        return;
      }
      // Possibly cut off: the rest of the range is a slot of its own, read next.
      this.slots.splice(this.slots.indexOf(s) + 1, 0, { from: last + 1, to: s.to, rows: null });
      s.to = last + 1;
      s.rows = got;
      rows += got.length;
      span += s.to - s.from;
      cutSpan = Math.min(cutSpan, last - Math.max(first, s.from) + 1);
    });
    this.adapt(rows, span, cutSpan);
  }

  /** Rows now complete in ascending id order (those of the lowest read slots); forgets held rows over the limit. */
  take(): T[] {
    const out: T[] = [];
    let n = 0;
    while (n < this.slots.length && this.slots[n].rows) {
      for (const r of this.slots[n].rows!) out.push(r);
      n++;
    }
    this.slots.splice(0, n);
    let held = this.held;
    for (let i = this.slots.length - 1; i >= 0 && held > this.holdLimit; i--) {
      const s = this.slots[i];
      if (!s.rows) continue;
      held -= s.rows.length;
      s.rows = null;
    }
    // Neighbouring slots still to read become one again.
    for (let i = this.slots.length - 1; i > 0; i--) {
      const a = this.slots[i - 1];
      const b = this.slots[i];
      if (!a.rows && !b.rows) {
        a.to = b.to;
        this.slots.splice(i, 1);
      }
    }
    return out;
  }

  /**
   * Next width: ≈ FILL × pageSize rows per call at the density of the last batch, and no wider than
   * FILL × the span of its densest cut-off page (the rest of that range is read next). It moves straight
   * to that estimate, up or down: growing step by step (doubling) cost ≈ 60 % more requests on sparse
   * id spaces in a randomized comparison, while a wrong guess costs at most one batch of cut-off calls,
   * whose pages still count.
   */
  private adapt(rows: number, span: number, cutSpan: number): void {
    let w = FILL * cutSpan;
    if (span > 0 && rows > 0) w = Math.min(w, (FILL * this.pageSize * span) / rows);
    this.w = Math.max(this.pageSize, Math.min(this.maxWidth, Math.floor(w)));
  }
}
