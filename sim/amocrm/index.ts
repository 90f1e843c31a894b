import { AmoCrmSimulator, type AmoCrmSimulatorOptions } from './amocrm-simulator.js';

export {
  AmoCrmSimulator,
  type AmoCrmCall,
  type AmoCrmCallSummary,
  type AmoCrmFaults,
  type AmoCrmSimulatorOptions,
} from './amocrm-simulator.js';
export { AmoCrmState, type AmoCrmStateOptions, type ListPage } from './amocrm-state.js';
export { AmoSimError, type ItemError, type ValidationEntry } from './amocrm-errors.js';
export {
  AMO_ENTITIES,
  FIELD_TYPES,
  PHONE_ENUMS,
  EMAIL_ENUMS,
  type AmoEntity,
  type AmoField,
  type FieldType,
} from './amocrm-fields.js';
export {
  WON_STATUS,
  LOST_STATUS,
  TASK_TYPES,
  defaultPipelines,
  defaultUsers,
  type AmoCrmSeed,
  type AmoPipeline,
  type AmoStatus,
  type AmoUser,
  type SeedRecord,
} from './amocrm-model.js';
export { AmoRateLimit, type AmoLimits } from './amocrm-rate-limit.js';
export { amoSeedFromDataset, companyFromBitrix24, SEEDED_TAX_FIELDS } from './amocrm-seed.converter.js';
export { parseQuery } from './amocrm-query.js';

/**
 * Starts a fake amoCRM account on a real HTTP port (see AmoCrmSimulator). `dataset` (a generated data
 * set) seeds it with the data set's CRM side converted to amoCRM; `seed` gives the account's data directly.
 * AMOCRM_BASE_URL = `sim.url`, AMOCRM_TOKEN = `sim.token`.
 */
export async function startAmoCrmSimulator(opts: AmoCrmSimulatorOptions = {}): Promise<AmoCrmSimulator> {
  return new AmoCrmSimulator(opts).start();
}
