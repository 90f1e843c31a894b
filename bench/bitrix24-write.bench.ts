import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import type { CrmWrite } from '../src/crm/crm.types.js';
import { startBitrix24Simulator } from '../sim/bitrix24/index.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

/**
 * CRM write throughput of the Bitrix24 adapter against the fake portal over real HTTP, with full
 * batches (50 creates of a company with a phone and an e-mail per `batch` request), as a fraction of
 * the limit BITRIX24_RPS × 50 records/s. The portal's bucket has the same X/Y as the adapter's.
 * Reported separately: the burst phase (the first BURST requests, which the bucket lets through at
 * once) and the steady phase after it, which is what the goal (≥ 0.9) is about.
 * Args: `--records=N` (default 6000), `--rps=R` (2), `--burst=B` (50).
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args);
  const records = arg('records', 6000);
  const rps = arg('rps', 2);
  const burst = arg('burst', 50);
  resetPortalLimiters();
  const sim = await startBitrix24Simulator({ limits: { rps, burst } });
  const adapter = new Bitrix24Adapter({ webhookUrl: sim.webhookUrl, rps, burst });
  const writes: CrmWrite[] = Array.from({ length: records }, (_, i) => ({
    op: 'create',
    key: `k${i}`,
    entity: 'companies',
    external: { source: 'sverka-1c', key: `bench-${i}` },
    fields: {
      title: `ООО "Бенчмарк ${i}"`,
      sourceVersion: `v${i}`,
      phones: { add: [`+7495${String(1_000_000 + i)}`], remove: [] },
      emails: { add: [`info${i}@example.ru`], remove: [] },
    },
  }));
  Logger.overrideLogger(['error']);
  try {
    const t0 = Date.now();
    const results = await adapter.applyWrites(writes);
    const totalS = (Date.now() - t0) / 1000;
    const ok = results.filter((r) => r.ok).length;
    const batches = sim.calls.filter((c) => c.method === 'batch' && c.status === 200);
    const rejected = sim.calls.filter((c) => c.status === 503).length;
    const limit = rps * 50;
    // The adapter keeps one slot of headroom: its burst is burst − 1 requests.
    const burstRequests = Math.min(burst - 1, batches.length);
    const size = (i: number) => batches[i].commands?.length ?? 0;
    let burstRecords = 0;
    for (let i = 0; i < burstRequests; i++) burstRecords += size(i);
    const burstS = Math.max(0.001, (batches[burstRequests - 1].at - t0) / 1000);
    const rows: BenchRow[] = [
      {
        name: 'records written',
        value: ok,
        unit: 'records',
        note: `${records} creates in ${batches.length} batch requests, ${totalS.toFixed(1)} s, ${rejected} answered 503`,
      },
      {
        name: 'burst phase',
        value: Math.round(burstRecords / burstS),
        unit: 'records/s',
        note: `first ${burstRequests} requests (${burstRecords} records) in ${burstS.toFixed(2)} s: the bucket lets a burst through at once`,
      },
    ];
    // Steady phase: skip a few requests after the burst (the bucket drained a little while the burst
    // ran), then count the records of requests (a, last] over the time between their answers.
    const a = burstRequests + 4;
    if (batches.length > a + 2) {
      let steadyRecords = 0;
      for (let i = a + 1; i < batches.length; i++) steadyRecords += size(i);
      const steadyS = (batches.at(-1)!.at - batches[a].at) / 1000;
      const steady = steadyRecords / steadyS;
      rows.push(
        {
          name: 'steady phase',
          value: Math.round(steady * 10) / 10,
          unit: 'records/s',
          note: `${steadyRecords} records in ${steadyS.toFixed(1)} s (requests ${a + 2}…${batches.length})`,
        },
        {
          name: 'steady / (BITRIX24_RPS × 50)',
          value: Math.round((steady / limit) * 1000) / 1000,
          unit: 'fraction',
          note: `limit ${limit} records/s (rps ${rps}, burst ${burst}); goal ≥ 0.9`,
        },
      );
    }
    rows.push({
      name: 'overall / (BITRIX24_RPS × 50)',
      value: Math.round((ok / totalS / limit) * 1000) / 1000,
      unit: 'fraction',
      note: 'whole run including the burst (above 1 while the burst dominates)',
    });
    return rows;
  } finally {
    Logger.overrideLogger(['log', 'error', 'warn']);
    await sim.close();
  }
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
