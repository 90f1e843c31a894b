import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { intEnv } from '../../src/cli/env-int.js';
import type { AmoCrmSeed } from '../amocrm/index.js';
import type { Bitrix24Seed } from '../bitrix24/index.js';
import type { OneCSimulator } from '../onec/onec-simulator.js';
import type { Dataset } from '../dataset/dataset.types.js';
import type { DriftTarget } from '../dataset/drift.js';
import { startSimulators, type SimulatedCrm } from '../start-simulators.js';

/** The demo's fake portal is faster than a real one (2 rps) so that the first sync takes seconds, not minutes. */
const DEMO_BITRIX24_LIMITS = { rps: 20, burst: 100 };

/**
 * The fake CRM of `npm run demo` (SIM_CRM): where the demo keeps its data, the service's settings for
 * the fake CRM, and what the demo's "managers" do in it. Bitrix24 keeps the demo's data in `./.data`,
 * amoCRM in `./.data/amocrm`, so that both demos can live side by side.
 */
export interface DemoCrm {
  kind: SimulatedCrm;
  /** `Bitrix24` or `amoCRM`, for the demo's messages. */
  label: string;
  /** The demo's data folder (embedded PostgreSQL in `pg/`, the saved fake CRM in `sim/`, the data set). */
  dataDir: string;
  /** True when the fake CRM came back from a previous run's save. */
  restored: boolean;
  /** The fake 1C (with its demo endpoint for renaming a record) and its change feed. */
  onec: { url: string; feedUrl: string; user: string; password: string; sim: OneCSimulator };
  /** The service's settings for this CRM (CRM_KIND and its connection). */
  env: Record<string, string>;
  /** `Bitrix24 http://…/rest/1/…/` or `amoCRM http://…`: where the fake CRM listens. */
  address: string;
  /** Invoices for the linked companies (1C ref → CRM company id); how many, or null when the CRM has none Sverka reads. */
  addInvoices(dataset: Dataset, companyByRef: Map<string, string>): number | null;
  driftTarget(originatorId: string): DriftTarget;
  /** The fake CRM's card of a company, as the report links it. */
  companyCardUrl(id: string): string;
  /** Saves the fake CRM to `dataDir/sim` for the next run. */
  save(): void;
  close(): Promise<void>;
}

/** The demo's data folder for this CRM. */
export function demoDataDir(kind: SimulatedCrm): string {
  return kind === 'amocrm' ? resolve('.data', 'amocrm') : resolve('.data');
}

/**
 * Starts the fake 1C on `dataset` and the fake CRM of `kind`: from its save in `dataDir/sim` when there
 * is one (the fake 1C is rebuilt from the seed every time), else seeded with the data set.
 */
export async function startDemoCrm(kind: SimulatedCrm, dataset: Dataset): Promise<DemoCrm> {
  const dataDir = demoDataDir(kind);
  mkdirSync(resolve(dataDir, 'sim'), { recursive: true });
  const onecPort = intEnv('SIM_ONEC_PORT', 0, 0, 65535);
  if (kind === 'amocrm') {
    const file = resolve(dataDir, 'sim', 'amocrm.json');
    const restored = existsSync(file);
    const sims = await startSimulators({
      dataset,
      crm: 'amocrm',
      onecPort,
      onecDemoApi: true,
      amocrmPort: intEnv('SIM_AMOCRM_PORT', 0, 0, 65535),
      ...(restored ? { amocrmSeed: JSON.parse(readFileSync(file, 'utf8')) as AmoCrmSeed } : {}),
    });
    const { sim, baseUrl, token } = sims.amocrm;
    return {
      kind,
      label: 'amoCRM',
      dataDir,
      restored,
      onec: sims.onec,
      // amoCRM's own limit, as a real account has it: AMOCRM_RPS allows no more than 7.
      env: { CRM_KIND: 'amocrm', AMOCRM_BASE_URL: baseUrl, AMOCRM_TOKEN: token, AMOCRM_RPS: '7' },
      address: `amoCRM ${baseUrl}`,
      addInvoices: () => null,
      driftTarget: (originatorId) => sim.driftTarget({ originatorId }),
      companyCardUrl: (id) => `${baseUrl}/companies/detail/${id}`,
      save: () => writeFileSync(file, JSON.stringify(sim.state.toSeed())),
      close: () => sims.close(),
    };
  }
  const file = resolve(dataDir, 'sim', 'bitrix24.json');
  const restored = existsSync(file);
  const sims = await startSimulators({
    dataset: restored ? { ...dataset, crm: JSON.parse(readFileSync(file, 'utf8')) } : dataset,
    onecPort,
    onecDemoApi: true,
    bitrixPort: intEnv('SIM_BITRIX24_PORT', 0, 0, 65535),
    bitrixLimits: DEMO_BITRIX24_LIMITS,
  });
  const { sim, webhookUrl } = sims.bitrix24;
  return {
    kind: 'bitrix24',
    label: 'Bitrix24',
    dataDir,
    restored,
    onec: sims.onec,
    env: {
      CRM_KIND: 'bitrix24',
      BITRIX24_WEBHOOK_URL: webhookUrl,
      BITRIX24_RPS: String(DEMO_BITRIX24_LIMITS.rps),
      BITRIX24_BURST: String(DEMO_BITRIX24_LIMITS.burst),
    },
    address: `Bitrix24 ${webhookUrl}`,
    addInvoices: (ds, companyByRef) => {
      const invoices = ds.invoicesFor(companyByRef);
      sim.state.addInvoices(invoices as unknown as Record<string, unknown>[]);
      return invoices.length;
    },
    driftTarget: (originatorId) => sim.driftTarget(originatorId),
    companyCardUrl: (id) => `${new URL(webhookUrl).origin}/crm/company/details/${id}/`,
    save: () => {
      const s = sim.state;
      const seed: Bitrix24Seed = {
        companies: s.list('companies'),
        contacts: s.list('contacts'),
        deals: s.list('deals'),
        invoices: s.list('invoices'),
        requisites: s.requisites(),
      };
      writeFileSync(file, JSON.stringify(seed));
    },
    close: () => sims.close(),
  };
}
