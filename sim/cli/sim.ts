import { generateDataset } from '../dataset/generate-dataset.js';
import { startSimulators } from '../start-simulators.js';
import { intEnv } from '../../src/cli/env-int.js';

/**
 * `npm run sim`: the 1C and Bitrix24 simulators alone, seeded with the generated data set.
 * SIM_ONEC_PORT (8081), SIM_BITRIX24_PORT (8082), SIM_COUNTERPARTIES (2000), SIM_SEED (42),
 * SIM_HOST (127.0.0.1), SIM_DATASET_DIR (optional: also write the data set and its truth.json there),
 * SIM_BITRIX24_RPS / SIM_BITRIX24_BURST (the fake portal's leaky bucket, default 2 / 50 like a real one).
 * Prints the settings to point Sverka at them; stops on Ctrl-C / SIGTERM.
 */
async function main(): Promise<void> {
  const onecPort = intEnv('SIM_ONEC_PORT', 8081, 0, 65535);
  const bitrixPort = intEnv('SIM_BITRIX24_PORT', 8082, 0, 65535);
  const counterparties = intEnv('SIM_COUNTERPARTIES', 2000, 0, 2_000_000);
  const seed = intEnv('SIM_SEED', 42, 0, 2 ** 32 - 1);
  const host = process.env.SIM_HOST || '127.0.0.1';
  const bitrixLimits = {
    rps: intEnv('SIM_BITRIX24_RPS', 2, 1, 100_000),
    burst: intEnv('SIM_BITRIX24_BURST', 50, 1, 100_000),
  };
  const t0 = Date.now();
  const dataset = generateDataset({ seed, counterparties, lean: counterparties > 200_000 });
  const dir = process.env.SIM_DATASET_DIR;
  if (dir) await dataset.writeDataset(dir);
  // The fake 1C rings Sverka's doorbell when both are given (the SverkaFeed extension's job).
  const doorbellUrl = process.env.SIM_ONEC_DOORBELL_URL;
  const feedSecret = process.env.SIM_ONEC_FEED_SECRET;
  const doorbell = doorbellUrl && feedSecret ? { url: doorbellUrl, secret: feedSecret } : undefined;
  const sims = await startSimulators({
    dataset,
    onecPort,
    bitrixPort,
    host,
    clone: false,
    bitrixLimits,
    doorbell,
  });
  const t = dataset.truth;
  const lines = [
    `Simulators up (seed ${seed}, ${counterparties} counterparties, ${t.counts.orders.rows} orders, ${t.counts.crm.companies} CRM companies; ${((Date.now() - t0) / 1000).toFixed(1)} s).`,
    '',
    `ONEC_ODATA_URL=${sims.onec.url}`,
    `ONEC_USER=${sims.onec.user}`,
    `ONEC_PASSWORD=${sims.onec.password}`,
    `ONEC_FEED_URL=${sims.onec.feedUrl}`,
    ...(doorbell ? [`ONEC_FEED_SECRET=<SIM_ONEC_FEED_SECRET> (the fake 1C rings ${doorbell.url})`] : []),
    `BITRIX24_WEBHOOK_URL=${sims.bitrix24.webhookUrl}`,
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
