import { simMapping } from './mapping.js';
import type { Mapping } from '../src/mapping/mapping.types.js';
import type { Dataset } from './dataset/dataset.types.js';
import { AmoCrmSimulator, type AmoCrmFaults, type AmoCrmSeed, type AmoLimits } from './amocrm/index.js';
import {
  startBitrix24Simulator,
  type Bitrix24Faults,
  type Bitrix24Seed,
  type Bitrix24Simulator,
} from './bitrix24/index.js';
import type { DoorbellOptions } from './onec/doorbell.js';
import { OneCSimulator, type OneCFaults } from './onec/onec-simulator.js';

/** Which CRM the fake 1C is paired with. */
export type SimulatedCrm = 'bitrix24' | 'amocrm';

export interface StartSimulatorsOptions {
  /** The generated data set (generateDataset): 1C rows and the CRM seed. */
  dataset: Dataset;
  /** The CRM to simulate (default `bitrix24`); amoCRM is seeded with the data set's CRM side converted. */
  crm?: SimulatedCrm;
  /** Fixed ports (default 0 = any free port). */
  onecPort?: number;
  bitrixPort?: number;
  amocrmPort?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Fault injection, per simulator. */
  faults?: { onec?: OneCFaults; bitrix24?: Bitrix24Faults; amocrm?: AmoCrmFaults };
  /** The fake portal's leaky bucket (default rps 2, burst 50; `false` = off). */
  bitrixLimits?: { rps: number; burst: number } | false;
  /** The fake amoCRM account's limit (default 7 rps, block after repeated 429s; `false` = off). */
  amocrmLimits?: AmoLimits | false;
  /** The fake amoCRM account's data instead of the data set's CRM side (a saved `sim.state.toSeed()`). */
  amocrmSeed?: AmoCrmSeed;
  /** 1C Basic credentials (default `sverka` / `sverka-pass`). */
  credentials?: { user?: string; password?: string };
  /** Set names of the 1C side (default: the built-in mapping). */
  mapping?: Mapping;
  /** Copy the data set rows into the 1C simulator (default true; pass false for very large sets). */
  clone?: boolean;
  /** The fake 1C rings this doorbell after every change (Sverka's `POST /api/v1/events/onec` and ONEC_FEED_SECRET). */
  doorbell?: DoorbellOptions;
  /** Demo only: the fake 1C takes `PATCH /demo/<set>/<Ref_Key>` to change a record as a 1C user would. */
  onecDemoApi?: boolean;
}

interface RunningOneC {
  /** `url` is ONEC_ODATA_URL, `feedUrl` ONEC_FEED_URL (the SverkaFeed change feed of the same fake 1C). */
  onec: { url: string; feedUrl: string; user: string; password: string; sim: OneCSimulator };
  close(): Promise<void>;
}

/** The fake 1C and the fake Bitrix24 portal. */
export interface RunningSimulators extends RunningOneC {
  crm: 'bitrix24';
  /** The fake portal (sim/bitrix24): `sim.state` is its data and mutation API, `sim.driftTarget()` an applyDrift target. */
  bitrix24: { webhookUrl: string; sim: Bitrix24Simulator };
}

/** The fake 1C and the fake amoCRM account. */
export interface RunningAmoCrmSimulators extends RunningOneC {
  crm: 'amocrm';
  /**
   * The fake account (sim/amocrm): `baseUrl` is AMOCRM_BASE_URL, `token` AMOCRM_TOKEN; `sim.state` is
   * its data and in-process API, `sim.driftTarget()` an applyDrift target.
   */
  amocrm: { baseUrl: string; token: string; sim: AmoCrmSimulator };
}

/**
 * Starts the fake 1C OData server (seeded with `dataset.onec`) and a fake CRM on real HTTP ports: the
 * Bitrix24 portal (seeded with `dataset.crm`) or, with `crm: 'amocrm'`, the amoCRM account (seeded with
 * the same parties converted, see sim/amocrm/amocrm-seed.converter.ts). `close()` stops both.
 *
 * ```ts
 * const sims = await startSimulators({ dataset: generateDataset({ seed: 1, counterparties: 500 }) });
 * // ONEC_ODATA_URL = sims.onec.url, ONEC_USER = sims.onec.user, ONEC_PASSWORD = sims.onec.password
 * // BITRIX24_WEBHOOK_URL = sims.bitrix24.webhookUrl
 * const amo = await startSimulators({ dataset, crm: 'amocrm' });
 * // AMOCRM_BASE_URL = amo.amocrm.baseUrl, AMOCRM_TOKEN = amo.amocrm.token
 * await sims.close();
 * ```
 */
export function startSimulators(
  opts: StartSimulatorsOptions & { crm?: 'bitrix24' },
): Promise<RunningSimulators>;
export function startSimulators(
  opts: StartSimulatorsOptions & { crm: 'amocrm' },
): Promise<RunningAmoCrmSimulators>;
export function startSimulators(
  opts: StartSimulatorsOptions,
): Promise<RunningSimulators | RunningAmoCrmSimulators>;
export async function startSimulators(
  opts: StartSimulatorsOptions,
): Promise<RunningSimulators | RunningAmoCrmSimulators> {
  const onec = await new OneCSimulator({
    data: opts.dataset.onec,
    port: opts.onecPort ?? 0,
    host: opts.host,
    user: opts.credentials?.user,
    password: opts.credentials?.password,
    mapping: opts.mapping ?? simMapping(),
    faults: opts.faults?.onec,
    seed: opts.dataset.seed,
    clone: opts.clone,
    doorbell: opts.doorbell,
    demoApi: opts.onecDemoApi,
  }).start();
  const onecPart = {
    url: onec.url,
    feedUrl: onec.feedUrl,
    user: onec.user,
    password: onec.password,
    sim: onec,
  };
  try {
    if (opts.crm === 'amocrm') {
      const amo = await new AmoCrmSimulator({
        ...(opts.amocrmSeed ? { seed: opts.amocrmSeed } : { dataset: opts.dataset }),
        port: opts.amocrmPort ?? 0,
        host: opts.host,
        faults: opts.faults?.amocrm,
        faultSeed: opts.dataset.seed,
        ...(opts.amocrmLimits !== undefined ? { limits: opts.amocrmLimits } : {}),
      }).start();
      return {
        crm: 'amocrm',
        onec: onecPart,
        amocrm: { baseUrl: amo.url, token: amo.token, sim: amo },
        close: async () => {
          await Promise.all([onec.close(), amo.close()]);
        },
      };
    }
    const bitrix = await startBitrix24Simulator({
      // The data set's CRM part is in crm.item.get / crm.requisite.list shape (typed interfaces, not records).
      seed: opts.dataset.crm as unknown as Bitrix24Seed,
      port: opts.bitrixPort ?? 0,
      host: opts.host,
      faults: opts.faults?.bitrix24,
      ...(opts.bitrixLimits !== undefined ? { limits: opts.bitrixLimits } : {}),
    });
    return {
      crm: 'bitrix24',
      onec: onecPart,
      bitrix24: { webhookUrl: bitrix.webhookUrl, sim: bitrix.sim },
      close: async () => {
        await Promise.all([onec.close(), bitrix.close()]);
      },
    };
  } catch (e) {
    await onec.close();
    throw e;
  }
}
