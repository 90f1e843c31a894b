/**
 * The seeded data-set generator (see generate-dataset.ts for the API and dataset.types.ts for shapes).
 */
export { generateDataset, formatPhone } from './generate-dataset.js';
export { invoicesFor, openSumByCompany, OPEN_INVOICE_STAGES } from './invoices.js';
export {
  planDrift,
  applyDrift,
  type DriftTarget,
  type DriftResult,
  type DriftOp,
  type DriftPlan,
  type DriftExpectations,
  type DriftOptions,
} from './drift.js';
export { writeDataset } from './write-dataset.js';
export { mulberry32, Rng, subSeed } from '../common/prng.js';
export type * from './dataset.types.js';
