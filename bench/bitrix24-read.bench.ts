import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { startBitrix24Simulator, type Bitrix24Seed } from '../sim/bitrix24/index.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

/**
 * Read throughput of the Bitrix24 adapter against the fake portal over real HTTP (loopback, one
 * process): bulk read by id ranges (50 `crm.item.list` calls per `batch` request, ≤ 2 500 rows a
 * request) and getMany (50 × 50 ids per batch), first without a rate limit (adapter + simulator +
 * converter cost) on dense ids and on sparse ids (2 of 3 deleted, plus a gap of 10 million), then at
 * the portal's limits (rps 2, burst 50). Each read also gives its HTTP requests against the one-call-
 * per-request keyset read it replaced (⌈rows ÷ 50⌉ + 1 requests).
 * Args: `--companies=N` (default 50000), `--limited=M` (rows read at the limits, default 150000).
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args);
  const n = arg('companies', 50_000);
  const limited = arg('limited', 150_000);
  const company = (i: number, id = i + 1) => ({
    id,
    title: `ООО "Компания ${i + 1}"`,
    originatorId: i % 3 ? 'sverka-1c' : null,
    originId: i % 3 ? `ref-${i}` : null,
    createdTime: '2026-09-01T10:00:00+03:00',
    updatedTime: '2026-09-01T10:00:00+03:00',
    fm: [
      { id: 2 * i + 1, typeId: 'PHONE', valueType: 'WORK', value: `+7495${String(1_000_000 + i)}` },
      { id: 2 * i + 2, typeId: 'EMAIL', valueType: 'WORK', value: `info${i}@example.ru` },
    ],
  });
  const seed: Bitrix24Seed = { companies: Array.from({ length: n }, (_, i) => company(i)) };
  const keyset = (rows: number) => Math.ceil(rows / 50) + 1;
  Logger.overrideLogger(['error']);
  const rows: BenchRow[] = [];
  try {
    resetPortalLimiters();
    const free = await startBitrix24Simulator({ seed, limits: false });
    try {
      const adapter = new Bitrix24Adapter({ webhookUrl: free.webhookUrl, rps: 1e6, burst: 1e6 });
      let t0 = performance.now();
      let count = 0;
      for await (const page of adapter.bulkRead({ entity: 'companies' })) count += page.records.length;
      let s = (performance.now() - t0) / 1000;
      rows.push({
        name: 'bulk read, no limit',
        value: Math.round(count / s),
        unit: 'records/s',
        note: `${count} companies (fm included) in ${s.toFixed(2)} s, ${free.calls.length} requests (keyset read: ${keyset(count)})`,
      });
      const ids = Array.from({ length: Math.min(n, 10_000) }, (_, i) =>
        String(i * Math.floor(n / Math.min(n, 10_000)) + 1),
      );
      free.clearCalls();
      t0 = performance.now();
      const got = await adapter.getMany('companies', ids);
      s = (performance.now() - t0) / 1000;
      rows.push({
        name: 'getMany, no limit',
        value: Math.round(got.records.length / s),
        unit: 'records/s',
        note: `${got.records.length} ids in ${free.calls.length} batch requests, ${s.toFixed(2)} s`,
      });
    } finally {
      await free.close();
    }
    resetPortalLimiters();
    // Sparse: ids 3, 6, 9 … (2 of 3 deleted), the second half 10 million ids further up.
    const sparse = await startBitrix24Simulator({
      seed: {
        companies: Array.from({ length: n }, (_, i) =>
          company(i, 3 * (i + 1) + (i < n / 2 ? 0 : 10_000_000)),
        ),
      },
      limits: false,
    });
    try {
      const adapter = new Bitrix24Adapter({ webhookUrl: sparse.webhookUrl, rps: 1e6, burst: 1e6 });
      const t0 = performance.now();
      let count = 0;
      for await (const page of adapter.bulkRead({ entity: 'companies' })) count += page.records.length;
      const s = (performance.now() - t0) / 1000;
      rows.push({
        name: 'bulk read of sparse ids, no limit',
        value: Math.round(count / s),
        unit: 'records/s',
        note: `${count} companies in ${s.toFixed(2)} s, ${sparse.calls.length} requests (keyset read: ${keyset(count)}; ${Math.round(count / sparse.calls.length)} rows a request)`,
      });
    } finally {
      await sparse.close();
    }
    resetPortalLimiters();
    const capped = await startBitrix24Simulator({
      seed: { companies: Array.from({ length: limited }, (_, i) => company(i)) },
      limits: { rps: 2, burst: 50 },
    });
    try {
      const adapter = new Bitrix24Adapter({ webhookUrl: capped.webhookUrl, rps: 2, burst: 50 });
      const t0 = performance.now();
      let count = 0;
      for await (const page of adapter.bulkRead({ entity: 'companies' })) count += page.records.length;
      const s = (performance.now() - t0) / 1000;
      // 49 requests pass at once (the adapter keeps one slot of the burst free), then 2 a second.
      const floor = Math.max(0, capped.calls.length - 49) / 2;
      rows.push({
        name: 'bulk read at rps 2 / burst 50',
        value: Math.round(count / s),
        unit: 'records/s',
        note: `${count} companies in ${s.toFixed(1)} s, ${capped.calls.length} requests (keyset read: ${keyset(count)}, ≈ ${Math.round((keyset(count) - 49) / 2 / 60)} min), ${capped.calls.filter((c) => c.status === 503).length} answered 503; API floor (requests − 49) ÷ 2 = ${floor} s; ≤ 2 500 records a request, 5 000/s at 2 rps (keyset read: 50, 100/s)`,
      });
    } finally {
      await capped.close();
    }
  } finally {
    Logger.overrideLogger(['log', 'error', 'warn']);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).then(
    (rows) => {
      for (const r of rows)
        process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
