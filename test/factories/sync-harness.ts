import type { DataSource } from 'typeorm';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { Bitrix24Adapter } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import { createDataSource } from '../../src/database/data-source.js';
import { simMapping } from '../../sim/mapping.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { Bitrix24Simulator } from '../../sim/bitrix24/index.js';
import type { Dataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A real database + both simulators over HTTP + a SyncRunnerService on the real adapters. */
export interface SyncHarness {
  db: TestDatabase;
  ds: DataSource;
  sims: RunningSimulators;
  sim: Bitrix24Simulator;
  settings: Settings;
  mapping: Mapping;
  runner(mapping?: Mapping, crm?: CrmPort): SyncRunnerService;
  crm: CrmPort;
  close(): Promise<void>;
}

export async function startSyncHarness(
  dataset: Dataset,
  opts: { mapping?: Mapping; limits?: { rps: number; burst: number } | false; adapterRps?: number } = {},
): Promise<SyncHarness> {
  const mapping = opts.mapping ?? simMapping();
  const db = await createTestDatabase('sync');
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  await ds.runMigrations();
  const sims = await startSimulators({ dataset, bitrixLimits: opts.limits ?? false });
  const sim = sims.bitrix24.sim;
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
  const onec = createOneCPort(settings, mapping);
  const rps = opts.adapterRps ?? 1000;
  const crm = new Bitrix24Adapter({
    webhookUrl: sims.bitrix24.webhookUrl,
    rps,
    burst: opts.limits ? opts.limits.burst : 1000,
    retryScale: 0.01,
  });
  return {
    db,
    ds,
    sims,
    sim,
    settings,
    mapping,
    crm,
    runner: (m = mapping, port: CrmPort = crm) => new SyncRunnerService(ds, m, onec, port),
    close: async () => {
      await sims.close();
      await ds.destroy();
      await db.drop();
    },
  };
}

/** CRM writes in the simulator's call log (direct write methods and write commands inside batches). */
export function crmWriteCount(sim: Bitrix24Simulator): number {
  const isWrite = (m: string) => /\.(add|update|delete)$/.test(m) || m.includes('.fields.');
  let n = 0;
  for (const c of sim.calls) {
    if (c.method === 'batch') n += (c.commands ?? []).filter((x) => isWrite(x.method)).length;
    else if (isWrite(c.method)) n++;
  }
  return n;
}
