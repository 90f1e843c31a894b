import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { parseSettings } from '../src/config/settings.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { createDataSource } from '../src/database/data-source.js';
import { simMapping } from '../sim/mapping.js';
import { createOneCPort } from '../src/onec/onec.module.js';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import { generateDataset } from '../sim/dataset/index.js';
import { startSimulators } from '../sim/start-simulators.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';
import { benchDatabase } from './support/bench-database.js';

/**
 * The first sync at the CRM's floor: `--counterparties` (5000) new counterparties, no contact persons or
 * orders, into a portal at its own limit (`--rps` 2, `--burst` 50: a standard plan) that already holds a
 * record of ours — so every create is preceded by the lookup that keeps it idempotent (the expensive
 * case; a portal with none of our records skips it). Floor: 2 commands per counterparty (the company,
 * then its requisite). Bucket use = requests sent / (burst + rps × seconds): the share of what the
 * portal allowed in that time.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args, 'BENCH_FLOOR');
  const n = arg('counterparties', 5000);
  const rps = arg('rps', 2);
  const burst = arg('burst', 50);
  Logger.overrideLogger(['error']);
  const db = await benchDatabase('bench_sync_floor');
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  const dataset = generateDataset({
    seed: 78,
    counterparties: n,
    contactsPerCounterparty: 0,
    ordersPerCounterparty: 0,
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
    const b24 = sims.bitrix24.sim;
    // One record of ours from an earlier sync: the portal is not fresh, creates are looked up first.
    b24.state.add('companies', {
      title: 'Ранее выгруженная',
      originId: 'earlier',
    });
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      },
      { mode: 'embedded' },
    );
    const crm = new Bitrix24Adapter({
      webhookUrl: sims.bitrix24.webhookUrl,
      rps,
      burst,
    });
    const runner = new SyncRunnerService(ds, mapping, createOneCPort(settings, mapping), crm);
    b24.clearCalls();
    const t0 = Date.now();
    const first = await runner.runNow({ trigger: 'cli', entities: ['counterparties'] });
    const seconds = (Date.now() - t0) / 1000;
    const created = first.stats.counterparties?.created ?? 0;
    const requests = b24.calls.length;
    const byMethod = new Map<string, number>();
    for (const c of b24.calls)
      for (const m of c.commands?.map((x) => x.method) ?? [c.method])
        byMethod.set(m, (byMethod.get(m) ?? 0) + 1);
    const commands = [...byMethod.values()].reduce((a, b) => a + b, 0);
    return [
      {
        name: `first sync at ${rps}/${burst}: ${created} new counterparties (status ${first.status})`,
        value: seconds.toFixed(1),
        unit: 's',
        note: `${commands} commands in ${requests} requests: ${[...byMethod].map(([m, k]) => `${m} ${k}`).join(', ')}`,
      },
      {
        name: 'first sync: CRM commands per new counterparty',
        value: (commands / created).toFixed(3),
        unit: 'commands',
        note: 'floor 2 (company, then its requisite); goal ≤ 2.05',
      },
      {
        name: "first sync: the portal's bucket used",
        value: (requests / (burst + rps * seconds)).toFixed(3),
        unit: 'fraction',
        note: `${requests} requests of ${Math.floor(burst + rps * seconds)} allowed in ${seconds.toFixed(0)} s; goal ≥ 0.95`,
      },
    ];
  } finally {
    await sims.close();
    await ds.destroy();
    await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void run(process.argv.slice(2)).then((rows) => {
    for (const r of rows)
      process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  });
}
