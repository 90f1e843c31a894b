import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { freePort } from '../../src/database/free-port.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { startTestApp } from '../support/test-app.js';

interface Side {
  status: 'up' | 'down';
  configured: boolean;
  reachable: boolean;
  error?: string;
}
interface Ready {
  status: string;
  info: { database: { status: string }; onec: Side; crm: Side };
}

/**
 * /health/ready over real HTTP, against the fake 1C and Bitrix24 over real HTTP: each side configured
 * and reachable, configured and unreachable (nothing listens on its port), or not configured. The
 * database alone decides readiness; the sides are reported.
 */
describe('readiness reports 1C and the CRM', () => {
  let sims: RunningSimulators;
  let deadPort: number;
  beforeAll(async () => {
    sims = await startSimulators({ dataset: generateDataset({ seed: 3, counterparties: 20 }) });
    deadPort = await freePort();
  });
  afterAll(async () => {
    await sims?.close();
  });

  async function ready(env: Record<string, string>): Promise<Ready> {
    const t = await startTestApp({ env });
    try {
      const res = await fetch(`${t.url}/health/ready`);
      expect(res.status).toBe(200);
      return (await res.json()) as Ready;
    } finally {
      await t.close();
    }
  }

  it('both sides up', async () => {
    const r = await ready(simulatorEnv(sims));
    expect(r.status).toBe('ok');
    expect(r.info.database.status).toBe('up');
    expect(r.info.onec).toEqual({ status: 'up', configured: true, reachable: true });
    expect(r.info.crm).toEqual({ status: 'up', configured: true, reachable: true });
  });

  it('1C down, the CRM up', async () => {
    const r = await ready({
      ...simulatorEnv(sims),
      ONEC_ODATA_URL: `http://127.0.0.1:${deadPort}/bp30/odata/standard.odata`,
    });
    expect(r.status).toBe('ok');
    expect(r.info.onec).toMatchObject({ status: 'down', configured: true, reachable: false });
    expect(r.info.onec.error).toEqual(expect.any(String));
    expect(r.info.crm).toEqual({ status: 'up', configured: true, reachable: true });
  }, 30_000);

  it('the CRM down, 1C up; the webhook secret stays out of the answer', async () => {
    const r = await ready({
      ...simulatorEnv(sims),
      BITRIX24_WEBHOOK_URL: `http://127.0.0.1:${deadPort}/rest/1/SecretHook42/`,
    });
    expect(r.status).toBe('ok');
    expect(r.info.onec).toEqual({ status: 'up', configured: true, reachable: true });
    expect(r.info.crm).toMatchObject({ status: 'down', configured: true, reachable: false });
    expect(r.info.crm.error).toEqual(expect.any(String));
    expect(JSON.stringify(r)).not.toContain('SecretHook42');
  }, 30_000);

  it('neither side configured', async () => {
    const r = await ready({});
    expect(r.status).toBe('ok');
    expect(r.info.onec).toEqual({ status: 'down', configured: false, reachable: false });
    expect(r.info.crm).toEqual({ status: 'down', configured: false, reachable: false });
  });
});
