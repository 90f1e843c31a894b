import type { RunningSimulators } from '../../sim/start-simulators.js';

/** Settings pointing the service at running simulators, with the CRM limiter wide open (tests, not benchmarks). */
export function simulatorEnv(sims: RunningSimulators): Record<string, string> {
  return {
    ONEC_ODATA_URL: sims.onec.url,
    ONEC_USER: sims.onec.user,
    ONEC_PASSWORD: sims.onec.password,
    BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
    BITRIX24_RPS: '1000',
    BITRIX24_BURST: '1000',
  };
}
