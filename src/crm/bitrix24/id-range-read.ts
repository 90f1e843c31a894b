import { IdRangePlan, type IdRange, type IdRangePlanOptions } from './id-range-plan.js';

export interface IdRangeReadOptions<T> extends IdRangePlanOptions {
  /** The row's id, or null when it has none readable (the row is still passed on). */
  idOf: (row: T) => number | null;
  /** Reads the ranges in one request: the rows of each, ascending, at most a page each. */
  fetch: (ranges: IdRange[]) => Promise<T[][]>;
}

/**
 * A full read of an id space by IdRangePlan: one `fetch` (one request) per batch of ranges, the rows
 * handed out in ascending id order in pages of at most `pageSize`. Memory: the rows of one batch plus
 * at most `holdLimit` held rows.
 */
export async function* readByIdRanges<T>(opts: IdRangeReadOptions<T>): AsyncGenerator<T[]> {
  const pageSize = opts.pageSize ?? 50;
  const plan = new IdRangePlan<T>(opts.idOf, opts);
  while (!plan.done) {
    plan.settle(await opts.fetch(plan.next()));
    const rows = plan.take();
    for (let i = 0; i < rows.length; i += pageSize) yield rows.slice(i, i + pageSize);
  }
}
