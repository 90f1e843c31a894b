import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { parseSettings } from '../src/config/settings.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { createDataSource } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { simMapping } from '../sim/mapping.js';
import { createOneCPort } from '../src/onec/onec.module.js';
import { generateDataset } from '../sim/dataset/index.js';
import { startSimulators } from '../sim/start-simulators.js';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

/**
 * Sync end to end over the fake 1C and the fake Bitrix24 portal at its rate limit (portal bucket and
 * adapter limiter alike: `--rps` / `--burst`, default 50 / 50 to keep the run within minutes).
 * 1. First sync of `--counterparties` (20000) counterparties and `--orders` per counterparty (2) orders
 *    (no contact persons): records/s as a fraction of the limit rps × 50 (commands per batch).
 *    CRM commands per record: company + requisite, deal.
 * 2. Incremental run after 1% of the records changed in 1C: CRM requests and 1C bytes read as a
 *    fraction of those of the full first run (goal ≤ 0.02).
 * DB: BENCH_DATABASE_URL, else an embedded PostgreSQL in a temp dir.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args, 'BENCH_SYNC');
  const n = arg('counterparties', 20_000);
  const ordersPer = arg('orders', 2);
  const rps = arg('rps', 50);
  const burst = arg('burst', 50);
  const rows: BenchRow[] = [];
  let stopDb: (() => Promise<void>) | null = null;
  let dir: string | null = null;
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'sverka-bench-pg-'));
    const emb = await startEmbeddedPostgres({ dir, persistent: false });
    stopDb = emb.stop;
    const admin = new pg.Client({ connectionString: emb.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE bench_sync`).catch(() => undefined);
    await admin.end();
    const u = new URL(emb.adminUrl);
    u.pathname = '/bench_sync';
    url = u.toString();
  }
  const ds = createDataSource(url, { poolSize: 4 });
  await ds.initialize();
  Logger.overrideLogger(['error']);
  const dataset = generateDataset({
    seed: 77,
    counterparties: n,
    contactsPerCounterparty: 0,
    ordersPerCounterparty: ordersPer,
    onecDuplicateRate: 0,
    crmDuplicateRate: 0,
    crmNewRate: 0,
  });
  resetPortalLimiters();
  const sims = await startSimulators({ dataset, bitrixLimits: { rps, burst } });
  try {
    await ds.query(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`);
    await ds.runMigrations();
    const mapping = simMapping();
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      },
      { mode: 'embedded' },
    );
    const onec = createOneCPort(settings, mapping);
    const crm = new Bitrix24Adapter({
      webhookUrl: sims.bitrix24.webhookUrl,
      rps,
      burst,
    });
    const runner = new SyncRunnerService(ds, mapping, onec, crm);
    const b24 = sims.bitrix24.sim;
    const c1 = sims.onec.sim;
    const onecBytes = () => c1.calls.reduce((s, c) => s + c.bytes, 0);
    b24.clearCalls();
    c1.clearCalls();
    const t0 = Date.now();
    const first = await runner.runNow({ trigger: 'cli' });
    const s1 = (Date.now() - t0) / 1000;
    const created = Object.values(first.stats).reduce((a, e) => a + (e?.created ?? 0) + (e?.updated ?? 0), 0);
    const fullRequests = b24.calls.length;
    const fullBytes = onecBytes();
    const commands = b24.calls.reduce((a, c) => a + (c.commands?.length ?? 1), 0);
    const limit = rps * 50;
    rows.push(
      {
        name: `first sync: ${n} counterparties + ${Math.round(n * ordersPer)} orders (status ${first.status})`,
        value: s1.toFixed(1),
        unit: 's',
      },
      {
        name: 'first sync: records written',
        value: created,
        unit: 'records',
        note: `${commands} CRM commands in ${fullRequests} requests`,
      },
      {
        name: 'first sync: records/s as a fraction of rps × 50',
        value: (created / s1 / limit).toFixed(3),
        unit: 'fraction',
        note: `${(created / s1).toFixed(0)} records/s vs ${limit}/s at rps ${rps}; each counterparty costs 2 commands (company + requisite)`,
      },
      {
        name: 'first sync: CRM commands/s as a fraction of rps × 50',
        value: (commands / s1 / limit).toFixed(3),
        unit: 'fraction',
      },
      { name: 'first sync: 1C bytes read', value: (fullBytes / 2 ** 20).toFixed(1), unit: 'MiB' },
    );
    // 1% of the records change in 1C.
    const cps = c1.rows('counterparties').filter((r) => !r.IsFolder && !r.DeletionMark);
    const orders = c1.rows('orders').filter((r) => r.Posted && !r.DeletionMark);
    const step = 100;
    let changed = 0;
    for (let i = 0; i < cps.length; i += step, changed++)
      c1.update('counterparties', String(cps[i].Ref_Key), {
        Description: `${String(cps[i].Description)} (изм.)`,
      });
    for (let i = 0; i < orders.length; i += step, changed++)
      c1.update('orders', String(orders[i].Ref_Key), {
        СуммаДокумента: Number(orders[i].СуммаДокумента) + 1,
      });
    b24.clearCalls();
    c1.clearCalls();
    const t1 = Date.now();
    const inc = await runner.runNow({ trigger: 'cli' });
    const s2 = (Date.now() - t1) / 1000;
    const incRequests = b24.calls.length;
    const incBytes = onecBytes();
    rows.push(
      {
        name: `incremental run, ${changed} records changed (1%) (status ${inc.status})`,
        value: s2.toFixed(1),
        unit: 's',
      },
      {
        name: 'incremental: CRM requests as a fraction of the full run',
        value: (incRequests / fullRequests).toFixed(4),
        unit: 'fraction',
        note: `${incRequests} vs ${fullRequests}; goal ≤ 0.02`,
      },
      {
        name: 'incremental: 1C bytes read as a fraction of the full run',
        value: (incBytes / fullBytes).toFixed(4),
        unit: 'fraction',
        note: `${(incBytes / 2 ** 20).toFixed(2)} MiB vs ${(fullBytes / 2 ** 20).toFixed(1)} MiB (the version scan of every set is most of it); goal ≤ 0.02`,
      },
    );
    b24.clearCalls();
    const t2 = Date.now();
    await runner.runNow({ trigger: 'cli' });
    rows.push({
      name: 'unchanged 1C base: CRM requests',
      value: b24.calls.length,
      unit: 'requests',
      note: `${((Date.now() - t2) / 1000).toFixed(1)} s, the version scan only`,
    });
  } finally {
    await sims.close();
    await ds.destroy();
    if (stopDb) await stopDb();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void run(process.argv.slice(2)).then((rows) => {
    for (const r of rows)
      process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  });
}
