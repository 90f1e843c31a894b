import { mulberry32 } from '../../../sim/dataset/prng.js';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import { IdRangePlan, type IdRange } from './id-range-plan.js';
import { readByIdRanges } from './id-range-read.js';

type Row = { id: number | null; tag?: string };

/**
 * An in-memory list method over sorted ids, as Bitrix24 answers `>=id from, <id to, order id ASC,
 * start -1`: the first 50 rows of the range. Counts requests (one per fetch) and checks every batch.
 */
function portal(ids: number[], extra: (id: number) => Row = (id) => ({ id })) {
  const sorted = [...ids].sort((a, b) => a - b);
  const lowerBound = (v: number) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const stats = { requests: 0, calls: 0, rowsSent: 0, maxCalls: 0 };
  const fetch = (ranges: IdRange[]): Promise<Row[][]> => {
    stats.requests++;
    stats.calls += ranges.length;
    stats.maxCalls = Math.max(stats.maxCalls, ranges.length);
    ranges.forEach((r, i) => {
      // Non-empty, ascending, disjoint; only the last may be open.
      if (!(r.to > r.from) || (i > 0 && r.from < ranges[i - 1].to))
        throw new Error(`bad ranges ${JSON.stringify(ranges)}`);
      if (i < ranges.length - 1 && !Number.isFinite(r.to)) throw new Error('an open range before the last');
    });
    return Promise.resolve(
      ranges.map(({ from, to }) => {
        const a = lowerBound(from);
        const b = Number.isFinite(to) ? lowerBound(to) : sorted.length;
        const rows = sorted.slice(a, Math.min(b, a + 50)).map(extra);
        stats.rowsSent += rows.length;
        return rows;
      }),
    );
  };
  return { fetch, stats, sorted };
}

async function readAll(p: ReturnType<typeof portal>, opts: { after?: number; holdLimit?: number } = {}) {
  const ids: (number | null)[] = [];
  let pages = 0;
  for await (const page of readByIdRanges<Row>({ ...opts, idOf: (r) => r.id, fetch: p.fetch })) {
    if (page.length === 0 || page.length > 50) throw new Error(`a page of ${page.length} rows`);
    for (const r of page) ids.push(r.id);
    pages++;
  }
  return { ids, pages };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('readByIdRanges / IdRangePlan', () => {
  it.each([
    [0, 1],
    [1, 1],
    [50, 1],
    [51, 1],
    [2_450, 1],
    [2_499, 1],
    [2_500, 2],
    [2_501, 2],
    [100_000, 41],
  ])('dense ids 1..%i: every record once, ascending, in %i request(s) of ≤ 50 calls', async (n, requests) => {
    const p = portal(range(1, n));
    const { ids, pages } = await readAll(p);
    expect(ids).toEqual(p.sorted);
    expect(pages).toBe(Math.ceil(n / 50));
    expect(p.stats.requests).toBe(requests);
    expect(p.stats.maxCalls).toBeLessThanOrEqual(50);
    expect(p.stats.rowsSent).toBe(n);
  });

  it('sparse ids (half deleted at random, then 1 in 100, then 1 in 10 000): complete, few requests', async () => {
    const rnd = mulberry32(7);
    const ids = [
      ...range(1, 200_000).filter(() => rnd() < 0.5),
      ...range(200_001, 50_000).map((i) => 200_000 + i * 100),
      ...range(1, 1_000).map((i) => 6_000_000 + i * 10_000),
    ];
    const p = portal(ids);
    const { ids: read } = await readAll(p);
    expect(read).toEqual(p.sorted);
    expect(p.stats.rowsSent).toBe(ids.length);
    // 151k rows: at 2 500 rows a request the floor is 61; one call per request (the old keyset read): 3 026.
    expect(p.stats.requests).toBeLessThanOrEqual(90);
  });

  it('a huge gap costs no extra request: 1..1000 and 10^12..10^12+999 in one request each', async () => {
    const p = portal([...range(1, 1_000), ...range(1e12, 1_000)]);
    const { ids } = await readAll(p);
    expect(ids).toEqual(p.sorted);
    expect(p.stats.requests).toBe(2);
  });

  it('afterId: only ids above it', async () => {
    const p = portal(range(1, 137));
    expect((await readAll(p, { after: 130 })).ids).toEqual([131, 132, 133, 134, 135, 136, 137]);
    expect(p.stats.requests).toBe(1);
  });

  it('rows without a readable id stay where they came, passed on (to be reported as malformed)', async () => {
    // Every 7th row has lost its id; the list still knows where it is, the reader must not drop it.
    const p = portal(range(1, 3_000), (id) => (id % 7 === 0 ? { id: null, tag: `lost ${id}` } : { id }));
    const out: Row[] = [];
    for await (const page of readByIdRanges<Row>({ idOf: (r) => r.id, fetch: p.fetch })) out.push(...page);
    expect(out).toHaveLength(3_000);
    expect(out.filter((r) => r.id === null).map((r) => r.tag)).toEqual(
      range(1, 3_000)
        .filter((i) => i % 7 === 0)
        .map((i) => `lost ${i}`),
    );
    const readable = out.filter((r) => r.id !== null).map((r) => r.id);
    expect(readable).toEqual(range(1, 3_000).filter((i) => i % 7 !== 0));
  });

  it('a full page without any readable id cannot be paged on: BAD_RESPONSE', async () => {
    const bad = (ranges: IdRange[]) =>
      Promise.resolve(
        ranges.map((r) => (Number.isFinite(r.to) ? [] : range(1, 50).map(() => ({ id: null })))),
      );
    const read = async () => {
      for await (const _ of readByIdRanges<Row>({ idOf: (r) => r.id, fetch: bad }));
    };
    await expect(read()).rejects.toThrow(CrmError);
    await expect(read()).rejects.toMatchObject({ code: CrmErrorCode.BAD_RESPONSE });
  });

  it('a call of ≤ 50 ids is complete by construction; a wider full one is continued above its last id', () => {
    const plan = new IdRangePlan<Row>((r) => r.id);
    const first = plan.next();
    expect(first).toHaveLength(50);
    expect(first.slice(0, 49).every((r) => r.to - r.from === 50)).toBe(true);
    expect(first[49]).toEqual({ from: 2_451, to: Infinity });
    // Odd ids only: 25 rows in each 50-wide call, and a full page from the open tail (2451, 2453 … 2549).
    const odd = (from: number, to: number) =>
      range(from, to - from)
        .filter((i) => i % 2)
        .map((id) => ({ id }));
    plan.settle(first.map((r) => (Number.isFinite(r.to) ? odd(r.from, r.to) : odd(r.from, 2_550))));
    expect(plan.take().map((r) => r.id)).toEqual(range(1, 2_549).filter((i) => i % 2));
    // ≈ 80 % of a page per call at density ½.
    expect(plan.width).toBe(79);
    const second = plan.next();
    expect(second[0]).toEqual({ from: 2_550, to: 2_629 });
    expect(second[49]).toEqual({ from: 2_550 + 49 * 79, to: Infinity });
    // A 79-wide call that comes back full may be cut off: the rest (above its last id) is read next, first.
    plan.settle(second.map((r, i) => (i === 0 ? range(2_550, 50).map((id) => ({ id })) : [])));
    expect(plan.take().map((r) => r.id)).toEqual(range(2_550, 50));
    expect(plan.held).toBe(0);
    expect(plan.done).toBe(false);
    // The densest cut-off page narrows the width back to the page size.
    expect(plan.width).toBe(50);
    expect(plan.next()).toEqual([{ from: 2_600, to: 2_629 }]);
  });

  it('randomized id spaces: exactly once, ascending, with small hold limits too', async () => {
    const rnd = mulberry32(42);
    let readAgain = 0;
    for (let round = 0; round < 60; round++) {
      const ids: number[] = [];
      let id = Math.floor(rnd() * 100);
      const blocks = 1 + Math.floor(rnd() * 12);
      for (let b = 0; b < blocks; b++) {
        const density = [1, 0.9, 0.5, 0.1, 0.01, 0.001][Math.floor(rnd() * 6)];
        const n = Math.floor(rnd() * 4_000);
        // Geometric gaps: each id present with probability `density`.
        for (let i = 0; i < n; i++) {
          id += density === 1 ? 1 : 1 + Math.floor(Math.log(1 - rnd()) / Math.log(1 - density));
          ids.push(id);
        }
        if (rnd() < 0.3) id += Math.floor(rnd() * 1e8);
      }
      const after = rnd() < 0.3 && ids.length ? ids[Math.floor(rnd() * ids.length)] : 0;
      const holdLimit = rnd() < 0.5 ? 100 : undefined;
      const p = portal(ids);
      const { ids: read } = await readAll(p, { after, holdLimit });
      const want = p.sorted.filter((i) => i > after);
      // One comparison per round (toEqual on 20k-element arrays is slow).
      expect(read.length === want.length && read.every((v, i) => v === want[i])).toBe(true);
      expect(p.stats.maxCalls).toBeLessThanOrEqual(50);
      if (holdLimit !== undefined) readAgain += p.stats.rowsSent - want.length;
    }
    // Rows held over the limit were dropped and read again somewhere, and still came out once.
    expect(readAgain).toBeGreaterThan(0);
  });
});
