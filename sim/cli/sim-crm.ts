import type { SimulatedCrm } from '../start-simulators.js';

/** SIM_CRM of `npm run sim` and `npm run demo`: `bitrix24` (default) or `amocrm`; anything else exits with code 2. */
export function simCrmFromEnv(): SimulatedCrm {
  const raw = process.env.SIM_CRM || 'bitrix24';
  if (raw !== 'bitrix24' && raw !== 'amocrm') {
    process.stderr.write(`SIM_CRM must be bitrix24 or amocrm, not ${raw}\n`);
    process.exit(2);
  }
  return raw;
}
