import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { startBitrix24Simulator, type Bitrix24Seed } from '../src/simulators/bitrix24/index.js';
import type { BenchRow } from './bench.types.js';

/**
 * Read throughput of the Bitrix24 adapter against the fake portal over real HTTP (loopback, one
 * process): keyset bulk read (`>id`, `start=-1`, 50 rows a request) and getMany (50 × 50 ids per batch),
 * first without a rate limit (adapter + simulator + converter cost), then at the portal's limits
 * (rps 2, burst 50), where one request carries at most 50 rows.
 * Args: `--companies=N` (default 50000), `--limited=M` (rows read at the limits, default 5000).
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = (name: string, def: number) =>
    Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
  const n = arg('companies', 50_000);
  const limited = arg('limited', 5000);
  const seed: Bitrix24Seed = {
    companies: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      title: `ООО "Компания ${i + 1}"`,
      originatorId: i % 3 ? 'sverka-1c' : null,
      originId: i % 3 ? `ref-${i}` : null,
      createdTime: '2026-09-01T10:00:00+03:00',
      updatedTime: '2026-09-01T10:00:00+03:00',
      fm: [
        { id: 2 * i + 1, typeId: 'PHONE', valueType: 'WORK', value: `+7495${String(1_000_000 + i)}` },
        { id: 2 * i + 2, typeId: 'EMAIL', valueType: 'WORK', value: `info${i}@example.ru` },
      ],
    })),
  };
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
        note: `${count} companies (fm included) in ${s.toFixed(2)} s, ${free.calls.length} requests`,
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
    const capped = await startBitrix24Simulator({
      seed: { companies: seed.companies!.slice(0, limited) },
      limits: { rps: 2, burst: 50 },
    });
    try {
      const adapter = new Bitrix24Adapter({ webhookUrl: capped.webhookUrl, rps: 2, burst: 50 });
      const t0 = performance.now();
      let count = 0;
      for await (const page of adapter.bulkRead({ entity: 'companies' })) count += page.records.length;
      const s = (performance.now() - t0) / 1000;
      const lists = capped.calls.filter((c) => c.status === 200);
      const burstEnd = lists[48]?.at ?? lists.at(-1)!.at;
      const steadyRows = Math.max(0, count - 49 * 50);
      const steadyS = (lists.at(-1)!.at - burstEnd) / 1000;
      rows.push({
        name: 'bulk read at rps 2 / burst 50',
        value: Math.round(count / s),
        unit: 'records/s',
        note: `${count} companies in ${s.toFixed(1)} s, ${capped.calls.filter((c) => c.status === 503).length} answered 503; after the burst ${steadyS > 0 ? Math.round(steadyRows / steadyS) : '–'} records/s (limit 100)`,
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
