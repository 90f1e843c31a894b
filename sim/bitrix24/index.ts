import type { Bitrix24Seed } from './bitrix24-state.js';
import {
  Bitrix24Simulator,
  type Bitrix24Call,
  type Bitrix24Faults,
  type Bitrix24SimulatorOptions,
} from './bitrix24-simulator.js';

export {
  Bitrix24Simulator,
  type Bitrix24Call,
  type Bitrix24Faults,
  type Bitrix24SimulatorOptions,
} from './bitrix24-simulator.js';
export {
  Bitrix24State,
  B24SimError,
  PRESETS,
  TYPE_OF,
  formatMoscow,
  type Bitrix24Seed,
  type Item,
  type RequisiteRow,
  type SimEntity,
  type EntityTypeId,
  type StatusRow,
} from './bitrix24-state.js';
export { parseStr } from './parse-str.js';
export { Bitrix24Todos, defaultUsers, type ActivityRow, type UserRow } from './bitrix24-todos.js';

/** What startBitrix24Simulator returns. */
export interface RunningBitrix24Simulator {
  /** `http://host:port/rest/<user_id>/<secret>/` — BITRIX24_WEBHOOK_URL. */
  webhookUrl: string;
  /** The data and the in-process mutation API (add/update/delete/setStage/setInvoiceSum/addInvoices/…). */
  state: Bitrix24Simulator['state'];
  /** The call log (live array). */
  calls: Bitrix24Call[];
  setFaults(faults: Bitrix24Faults): void;
  setLimits(limits: { rps: number; burst: number } | false): void;
  clearCalls(): void;
  /** The simulator object itself (driftTarget(), url, …). */
  sim: Bitrix24Simulator;
  close(): Promise<void>;
}

/**
 * Starts the fake Bitrix24 portal on a real HTTP port. `seed` is data in Bitrix24 REST shape
 * (`{ companies, contacts, deals, invoices, requisites, maxFmId? }`); `dataset` (a generated Dataset) is
 * accepted instead and its `crm` part used. See Bitrix24Simulator for the behaviour.
 */
export async function startBitrix24Simulator(
  opts: Omit<Bitrix24SimulatorOptions, 'seed' | 'dataset'> & {
    seed?: Bitrix24Seed;
    dataset?: { crm: Bitrix24Seed };
  } = {},
): Promise<RunningBitrix24Simulator> {
  const sim = await new Bitrix24Simulator(opts).start();
  return {
    webhookUrl: sim.webhookUrl,
    state: sim.state,
    calls: sim.calls,
    setFaults: (f) => sim.setFaults(f),
    setLimits: (l) => sim.setLimits(l),
    clearCalls: () => sim.clearCalls(),
    sim,
    close: () => sim.close(),
  };
}
