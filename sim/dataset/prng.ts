/**
 * Kept only so that `src/crm/bitrix24/id-range-plan.spec.ts` still resolves: the one PRNG of the
 * simulators and generators is `sim/common/prng.ts`. Import from there.
 */
export { mulberry32, Rng, subSeed } from '../common/prng.js';
