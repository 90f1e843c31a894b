import type { RunningAmoCrmSimulators, RunningSimulators } from '../../sim/start-simulators.js';

/**
 * Settings pointing the service at running simulators: the fake 1C, and the fake Bitrix24 portal with
 * the CRM limiter wide open (tests, not benchmarks) or the fake amoCRM account (`CRM_KIND=amocrm`, at
 * amoCRM's own 7 requests a second — AMOCRM_RPS allows no more).
 */
export function simulatorEnv(sims: RunningSimulators | RunningAmoCrmSimulators): Record<string, string> {
  const onec = {
    ONEC_ODATA_URL: sims.onec.url,
    ONEC_USER: sims.onec.user,
    ONEC_PASSWORD: sims.onec.password,
  };
  if (sims.crm === 'amocrm')
    return {
      ...onec,
      CRM_KIND: 'amocrm',
      AMOCRM_BASE_URL: sims.amocrm.baseUrl,
      AMOCRM_TOKEN: sims.amocrm.token,
      AMOCRM_RPS: '7',
    };
  return {
    ...onec,
    BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
    BITRIX24_RPS: '1000',
    BITRIX24_BURST: '1000',
  };
}
