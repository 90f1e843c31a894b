import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { parseSettings } from '../src/config/settings.js';
import { AmoCrmAdapter } from '../src/crm/amocrm/amocrm.adapter.js';
import { resetAccountWindows } from '../src/crm/amocrm/request-window.js';
import { createDataSource } from '../src/database/data-source.js';
import { createOneCPort } from '../src/onec/onec.module.js';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import { generateDataset } from '../sim/dataset/index.js';
import { simMapping } from '../sim/mapping.js';
import { startSimulators } from '../sim/start-simulators.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';
import { benchDatabase } from './support/bench-database.js';

/**
 * The first sync into amoCRM at its limit: `--counterparties` (5000) new counterparties, no contact
 * persons or orders, through the real SyncRunnerService and the amoCRM adapter into the fake account at 7
 * requests a second (`--rps`). The account is prepared first, as the service does at start (its custom
 * fields and statuses; those requests are counted apart). Budget used = requests / (rps × seconds of
 * the run): the share of what amoCRM allowed in that time; items per write request = records carried
 * by the run's POST/PATCH requests / their number. Goals: ≥ 0.9 and ≥ 45.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args, 'BENCH_AMO');
  const n = arg('counterparties', 5000);
  const rps = arg('rps', 7);
  Logger.overrideLogger(['error']);
  const db = await benchDatabase('bench_amocrm_first_sync');
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
  resetAccountWindows();
  const sims = await startSimulators({ dataset, crm: 'amocrm', amocrmLimits: { rps, blockAfter: 10 } });
  try {
    await ds.query(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`);
    await ds.runMigrations();
    const mapping = simMapping('amocrm');
    const amo = sims.amocrm.sim;
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        CRM_KIND: 'amocrm',
        AMOCRM_BASE_URL: sims.amocrm.baseUrl,
        AMOCRM_TOKEN: sims.amocrm.token,
      },
      { mode: 'embedded' },
    );
    const crm = new AmoCrmAdapter({
      baseUrl: sims.amocrm.baseUrl,
      token: sims.amocrm.token,
      rps,
      stageKeys: [...Object.values(mapping.deals.statusMap), mapping.deals.deletedStage],
      currency: mapping.deals.currency,
    });
    await crm.prepare();
    const prepared = amo.calls.length;
    amo.clearCalls();
    const runner = new SyncRunnerService(ds, mapping, createOneCPort(settings, mapping), crm);
    const t0 = Date.now();
    const first = await runner.runNow({ trigger: 'cli', entities: ['counterparties'] });
    const seconds = (Date.now() - t0) / 1000;
    const created = first.stats.counterparties?.created ?? 0;
    const s = amo.summary();
    const firstCrm = amo.calls[0]?.at ?? t0;
    const lastCrm = amo.calls.at(-1)?.at ?? t0;
    const crmSeconds = (lastCrm - firstCrm) / 1000;
    const routes = Object.entries(s.byRoute)
      .map(([r, k]) => `${r} ${k}`)
      .join(', ');
    return [
      {
        name: `amoCRM first sync at ${rps} req/s: ${created} new counterparties (status ${first.status})`,
        value: seconds.toFixed(1),
        unit: 's',
        note: `${s.requests} requests (${routes}); ${s.rateLimited} answered 429; the account's preparation before it: ${prepared} requests`,
      },
      {
        name: 'amoCRM first sync: request budget used',
        value: (s.requests / (rps * seconds)).toFixed(3),
        unit: 'fraction',
        note: `${s.requests} requests of ${Math.floor(rps * seconds)} allowed in ${seconds.toFixed(1)} s (${(s.requests / Math.max(crmSeconds, 0.001)).toFixed(2)} a second from the first CRM request to the last); goal ≥ 0.9`,
      },
      {
        name: 'amoCRM first sync: items per write request',
        value: (s.writeItems / Math.max(1, s.writeRequests)).toFixed(1),
        unit: 'items',
        note: `${s.writeItems} items in ${s.writeRequests} POST/PATCH requests; goal ≥ 45`,
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
