import { defaultMapping } from '../mapping/default-mapping.js';
import type { Mapping } from '../mapping/mapping.types.js';
import type { Dataset } from './dataset/dataset.types.js';
import { OneCSimulator, type OneCFaults } from './onec/onec-simulator.js';

export interface StartSimulatorsOptions {
  /** The generated data set (generateDataset): 1C rows and the CRM seed. */
  dataset: Dataset;
  /** Fixed ports (default 0 = any free port). */
  onecPort?: number;
  bitrixPort?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Fault injection, per simulator. `bitrix24` is passed through to the Bitrix24 simulator. */
  faults?: { onec?: OneCFaults; bitrix24?: Record<string, unknown> };
  /** 1C Basic credentials (default `sverka` / `sverka-pass`). */
  credentials?: { user?: string; password?: string };
  /** Set names of the 1C side (default: the built-in mapping). */
  mapping?: Mapping;
  /** Copy the data set rows into the 1C simulator (default true; pass false for very large sets). */
  clone?: boolean;
}

/** The Bitrix24 simulator as far as this module knows it (its own module documents the full API). */
export interface Bitrix24SimHandle {
  webhookUrl: string;
  sim: unknown;
  close(): Promise<void>;
}

export interface RunningSimulators {
  onec: { url: string; user: string; password: string; sim: OneCSimulator };
  /** null when the Bitrix24 simulator module is not available. */
  bitrix24: { webhookUrl: string; sim: unknown } | null;
  close(): Promise<void>;
}

type Bitrix24Starter = (opts: {
  dataset: Dataset;
  port?: number;
  host?: string;
  faults?: Record<string, unknown>;
}) => Promise<Bitrix24SimHandle>;

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
  }).start();
  let bitrix: Bitrix24SimHandle | null = null;
  try {
    const starter = await loadBitrix24Starter();
    if (starter)
      bitrix = await starter({
        dataset: opts.dataset,
        port: opts.bitrixPort ?? 0,
        host: opts.host,
        faults: opts.faults?.bitrix24,
      });
  } catch (e) {
    await onec.close();
    throw e;
  }
  return {
    onec: { url: onec.url, user: onec.user, password: onec.password, sim: onec },
    bitrix24: bitrix ? { webhookUrl: bitrix.webhookUrl, sim: bitrix.sim } : null,
    close: async () => {
      await Promise.all([onec.close(), bitrix?.close()]);
    },
  };
}

/**
 * The Bitrix24 simulator's starter (src/simulators/bitrix24/), loaded lazily so this module works without
 * it. Accepted shapes, in order: an exported `startBitrix24Simulator(opts)` resolving to
 * `{ webhookUrl, sim, close }`; or an exported class `Bitrix24Simulator` constructed with
 * `{ port, host, dataset, seed: dataset.crm, faults }` that has `start()`, `webhookUrl` and `close()`.
 */
async function loadBitrix24Starter(): Promise<Bitrix24Starter | null> {
  for (const specifier of ['./bitrix24/index.js', './bitrix24/bitrix24-simulator.js']) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(specifier)) as Record<string, unknown>;
    } catch (e) {
      const code = (e as { code?: string }).code;
      // Node says ERR_MODULE_NOT_FOUND; Jest's resolver says "Could not locate module".
      if (
        code === 'ERR_MODULE_NOT_FOUND' ||
        /Cannot find module|Could not locate module/.test(String((e as Error).message))
      )
        continue;
      throw e;
    }
    if (typeof mod.startBitrix24Simulator === 'function')
      return mod.startBitrix24Simulator as Bitrix24Starter;
    const Cls = mod.Bitrix24Simulator as
      (new (opts: Record<string, unknown>) => Bitrix24ClassLike) | undefined;
    if (typeof Cls === 'function') {
      return async (opts) => {
        const sim = new Cls({
          port: opts.port,
          host: opts.host,
          dataset: opts.dataset,
          seed: opts.dataset.crm,
          faults: opts.faults,
        });
        await sim.start();
        const webhookUrl = sim.webhookUrl ?? sim.url;
        if (typeof webhookUrl !== 'string')
          throw new Error('Bitrix24Simulator has no webhookUrl after start()');
        return { webhookUrl, sim, close: () => sim.close() };
      };
    }
  }
  return null;
}

interface Bitrix24ClassLike {
  start(): Promise<unknown>;
  close(): Promise<void>;
  webhookUrl?: string;
  url?: string;
}
