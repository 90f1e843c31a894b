import { defaultMapping } from '../src/mapping/default-mapping.js';
import type { Mapping } from '../src/mapping/mapping.types.js';
import type { Dataset } from './dataset/dataset.types.js';
import {
  startBitrix24Simulator,
  type Bitrix24Faults,
  type Bitrix24Seed,
  type Bitrix24Simulator,
} from './bitrix24/index.js';
import type { DoorbellOptions } from './onec/doorbell.js';
import { OneCSimulator, type OneCFaults } from './onec/onec-simulator.js';

export interface StartSimulatorsOptions {
  /** The generated data set (generateDataset): 1C rows and the CRM seed. */
  dataset: Dataset;
  /** Fixed ports (default 0 = any free port). */
  onecPort?: number;
  bitrixPort?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Fault injection, per simulator. */
  faults?: { onec?: OneCFaults; bitrix24?: Bitrix24Faults };
  /** The fake portal's leaky bucket (default rps 2, burst 50; `false` = off). */
  bitrixLimits?: { rps: number; burst: number } | false;
  /** 1C Basic credentials (default `sverka` / `sverka-pass`). */
  credentials?: { user?: string; password?: string };
  /** Set names of the 1C side (default: the built-in mapping). */
  mapping?: Mapping;
  /** Copy the data set rows into the 1C simulator (default true; pass false for very large sets). */
  clone?: boolean;
  /** The fake 1C rings this doorbell after every change (Sverka's `POST /api/v1/events/onec` and ONEC_FEED_SECRET). */
  doorbell?: DoorbellOptions;
}

export interface RunningSimulators {
  /** `url` is ONEC_ODATA_URL, `feedUrl` ONEC_FEED_URL (the SverkaFeed change feed of the same fake 1C). */
  onec: { url: string; feedUrl: string; user: string; password: string; sim: OneCSimulator };
  /** The fake portal (sim/bitrix24): `sim.state` is its data and mutation API, `sim.driftTarget()` an applyDrift target. */
  bitrix24: { webhookUrl: string; sim: Bitrix24Simulator };
  close(): Promise<void>;
}

/**
 * Starts the fake 1C OData server (seeded with `dataset.onec`) and the fake Bitrix24 portal (seeded
 * with `dataset.crm`) on real HTTP ports. `close()` stops both.
 *
 * ```ts
 * const sims = await startSimulators({ dataset: generateDataset({ seed: 1, counterparties: 500 }) });
 * // ONEC_ODATA_URL = sims.onec.url, ONEC_USER = sims.onec.user, ONEC_PASSWORD = sims.onec.password
 * // BITRIX24_WEBHOOK_URL = sims.bitrix24.webhookUrl
 * await sims.close();
 * ```
 */
export async function startSimulators(opts: StartSimulatorsOptions): Promise<RunningSimulators> {
  const onec = await new OneCSimulator({
    data: opts.dataset.onec,
    port: opts.onecPort ?? 0,
    host: opts.host,
    user: opts.credentials?.user,
    password: opts.credentials?.password,
    mapping: opts.mapping ?? defaultMapping(),
    faults: opts.faults?.onec,
    seed: opts.dataset.seed,
    clone: opts.clone,
    doorbell: opts.doorbell,
  }).start();
  let bitrix: Awaited<ReturnType<typeof startBitrix24Simulator>>;
  try {
    bitrix = await startBitrix24Simulator({
      // The data set's CRM part is in crm.item.get / crm.requisite.list shape (typed interfaces, not records).
      seed: opts.dataset.crm as unknown as Bitrix24Seed,
      port: opts.bitrixPort ?? 0,
      host: opts.host,
      faults: opts.faults?.bitrix24,
      ...(opts.bitrixLimits !== undefined ? { limits: opts.bitrixLimits } : {}),
    });
  } catch (e) {
    await onec.close();
    throw e;
  }
  return {
    onec: { url: onec.url, feedUrl: onec.feedUrl, user: onec.user, password: onec.password, sim: onec },
    bitrix24: { webhookUrl: bitrix.webhookUrl, sim: bitrix.sim },
    close: async () => {
      await Promise.all([onec.close(), bitrix.close()]);
    },
  };
}
