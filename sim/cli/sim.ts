import { generateDataset } from '../dataset/generate-dataset.js';
import { startSimulators } from '../start-simulators.js';
import { simCrmFromEnv } from './sim-crm.js';
import { intEnv } from '../../src/cli/env-int.js';

/**
 * `npm run sim`: the 1C simulator and a CRM simulator alone, seeded with the generated data set.
 * SIM_CRM (`bitrix24`, or `amocrm`), SIM_ONEC_PORT (8081), SIM_BITRIX24_PORT (8082), SIM_AMOCRM_PORT
 * (8083), SIM_COUNTERPARTIES (2000), SIM_SEED (42), SIM_HOST (127.0.0.1), SIM_DATASET_DIR (optional:
 * also write the data set and its truth.json there), SIM_BITRIX24_RPS / SIM_BITRIX24_BURST (the fake
 * portal's leaky bucket, default 2 / 50 like a real one), SIM_AMOCRM_RPS (the fake account's requests
 * a second, default 7 like a real one). Prints the settings to point Sverka at them; stops on Ctrl-C / SIGTERM.
 */
async function main(): Promise<void> {
  const crm = simCrmFromEnv();
  const onecPort = intEnv('SIM_ONEC_PORT', 8081, 0, 65535);
  const counterparties = intEnv('SIM_COUNTERPARTIES', 2000, 0, 2_000_000);
  const seed = intEnv('SIM_SEED', 42, 0, 2 ** 32 - 1);
  const host = process.env.SIM_HOST || '127.0.0.1';
  const t0 = Date.now();
  const dataset = generateDataset({ seed, counterparties, lean: counterparties > 200_000 });
  const dir = process.env.SIM_DATASET_DIR;
  if (dir) await dataset.writeDataset(dir);
  // The fake 1C rings Sverka's doorbell when both are given (the SverkaFeed extension's job).
  const doorbellUrl = process.env.SIM_ONEC_DOORBELL_URL;
  const feedSecret = process.env.SIM_ONEC_FEED_SECRET;
  const doorbell = doorbellUrl && feedSecret ? { url: doorbellUrl, secret: feedSecret } : undefined;
  const sims =
    crm === 'amocrm'
      ? await startSimulators({
          dataset,
          crm,
          onecPort,
          amocrmPort: intEnv('SIM_AMOCRM_PORT', 8083, 0, 65535),
          host,
          clone: false,
          doorbell,
          amocrmLimits: { rps: intEnv('SIM_AMOCRM_RPS', 7, 1, 100_000) },
        })
      : await startSimulators({
          dataset,
          onecPort,
          bitrixPort: intEnv('SIM_BITRIX24_PORT', 8082, 0, 65535),
          host,
          clone: false,
          doorbell,
          bitrixLimits: {
            rps: intEnv('SIM_BITRIX24_RPS', 2, 1, 100_000),
            burst: intEnv('SIM_BITRIX24_BURST', 50, 1, 100_000),
          },
        });
  const t = dataset.truth;
  const crmLines =
    sims.crm === 'amocrm'
      ? ['CRM_KIND=amocrm', `AMOCRM_BASE_URL=${sims.amocrm.baseUrl}`, `AMOCRM_TOKEN=${sims.amocrm.token}`]
      : [`BITRIX24_WEBHOOK_URL=${sims.bitrix24.webhookUrl}`];
  const lines = [
    `Simulators up (1C + ${crm === 'amocrm' ? 'amoCRM' : 'Bitrix24'}; seed ${seed}, ${counterparties} counterparties, ${t.counts.orders.rows} orders, ${t.counts.crm.companies} CRM companies; ${((Date.now() - t0) / 1000).toFixed(1)} s).`,
    '',
    `ONEC_ODATA_URL=${sims.onec.url}`,
    `ONEC_USER=${sims.onec.user}`,
    `ONEC_PASSWORD=${sims.onec.password}`,
    `ONEC_FEED_URL=${sims.onec.feedUrl}`,
    ...(doorbell ? [`ONEC_FEED_SECRET=<SIM_ONEC_FEED_SECRET> (the fake 1C rings ${doorbell.url})`] : []),
    ...crmLines,
    '',
    dir
      ? `Data set and ground truth written to ${dir} (truth.json).`
      : 'Set SIM_DATASET_DIR to also write the data set and its ground truth (truth.json).',
    'Ctrl-C stops.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => {
    void sims.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`sim: ${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
