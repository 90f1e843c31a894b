import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import pg from 'pg';
import { parseSettings } from '../../src/config/settings.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres.js';
import { simMapping } from '../../sim/mapping.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';
import { createApiKey, startService, type ServiceProcess } from '../support/service-process.js';
import { simulatorEnv } from '../support/simulator-env.js';

jest.setTimeout(300_000);

/** The error of a run cut off from its database: recovered by the sweep, or the driver's own words. */
const LOST_DATABASE =
  /^recovered: its instance stopped or lost the database \(its lock was released\)$|ECONNREFUSED|terminat|Connection/;

/**
 * PostgreSQL restarted under a running service, in the middle of a sync and of a reconciliation (a
 * server of its own, so the rest of the suite is not disturbed): the service stays up, reports the
 * outage on /health/ready and comes back, the interrupted run ends as a clean failure (or finishes),
 * never stays `running`, and the next run leaves the CRM exactly as 1C says — nothing lost, nothing twice.
 */
describe('PostgreSQL restarted during runs', () => {
  const mapping = simMapping();
  const dataset = generateDataset({
    seed: 93,
    counterparties: 300,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1,
  });
  let dir: string;
  let port: number;
  let server: EmbeddedDatabase;
  let sims: RunningSimulators;
  let service: ServiceProcess;
  let env: Record<string, string>;
  let key: string;

  const restartDatabase = async (downMs: number) => {
    await server.stop();
    await new Promise((r) => setTimeout(r, downMs));
    server = await startEmbeddedPostgres({ dir, persistent: true, port });
  };
  const ready = async () => {
    const r = await fetch(`${service.url}/health/ready`);
    return {
      status: r.status,
      body: (await r.json()) as { status: string; details?: { database?: { status: string } } },
    };
  };
  const waitFor = async <T>(what: string, fn: () => Promise<T | null>, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn().catch(() => null);
      if (v !== null) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${service.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const runError = async (table: string, id: string) => {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      return (await c.query(`SELECT error FROM ${table} WHERE id = $1`, [id])).rows[0].error as string;
    } finally {
      await c.end();
    }
  };
  const runStatus = async (path: string) => (await service.api('GET', path, key)).json().status as string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sverka-pg-restart-'));
    server = await startEmbeddedPostgres({ dir: join(dir, 'data'), persistent: true });
    dir = join(dir, 'data');
    port = server.port;
    sims = await startSimulators({ dataset, bitrixLimits: { rps: 5, burst: 5 } });
    env = {
      DATABASE_URL: server.url,
      ...simulatorEnv(sims),
      BITRIX24_RPS: '5',
      BITRIX24_BURST: '5',
      SCHEDULER_ENABLED: 'false',
    };
    service = await startService(env);
    key = createApiKey(env, 'pg-restart', 'operator');
  });
  afterAll(async () => {
    await service?.kill9();
    await sims?.close();
    await server?.stop().catch(() => undefined);
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('a sync interrupted by the restart fails cleanly; readiness reflects the outage; the next sync completes the data', async () => {
    expect((await ready()).status).toBe(200);
    const start = await service.api('POST', '/api/v1/sync/runs', key, {});
    expect(start.status).toBe(202);
    const id = start.json().id as string;
    await waitFor('the sync to run', async () =>
      (await runStatus(`/api/v1/sync/runs/${id}`)) === 'running' ? true : null,
    );
    await new Promise((r) => setTimeout(r, 1500));

    await server.stop();
    const down = await waitFor('readiness to report the outage', async () => {
      const r = await ready();
      return r.status === 503 ? r : null;
    });
    expect(down.body.details?.database?.status).toBe('down');
    await new Promise((r) => setTimeout(r, 2000));
    server = await startEmbeddedPostgres({ dir, persistent: true, port });
    await waitFor('readiness to come back', async () => ((await ready()).status === 200 ? true : null));

    // The run does not stay running: it failed — recorded by itself when the database came back in time,
    // else recovered by the sweep (its lock went with the old server).
    const ended = await waitFor('the interrupted sync to end', async () => {
      const s = await runStatus(`/api/v1/sync/runs/${id}`);
      return s === 'running' || s === 'queued' ? null : s;
    });
    expect(ended).toBe('failed');
    expect(await runError('sync_run', id)).toMatch(LOST_DATABASE);
    const next = await waitFor('a new sync to be accepted', async () => {
      const r = await service.api('POST', '/api/v1/sync/runs', key, {});
      return r.status === 202 ? (r.json().id as string) : null;
    });
    const final = await waitFor(
      'the new sync to finish',
      async () => {
        const s = await runStatus(`/api/v1/sync/runs/${next}`);
        return s === 'running' || s === 'queued' ? null : s;
      },
      120_000,
    );
    expect(final).toBe('succeeded');
    const onec = createOneCPort(
      parseSettings({ LOG_LEVEL: 'silent', ...env }, { mode: 'embedded' }),
      mapping,
    );
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });
  });

  it('a reconciliation interrupted by the restart ends (never left running) and the next one succeeds', async () => {
    sims.bitrix24.sim.setFaults({ latencyMs: 300 });
    const start = await service.api('POST', '/api/v1/reconciliations', key, { dedupe: true });
    expect(start.status).toBe(202);
    const id = start.json().id as string;
    await waitFor('the reconciliation to run', async () =>
      (await runStatus(`/api/v1/reconciliations/${id}`)) === 'running' ? true : null,
    );
    await restartDatabase(2000);
    sims.bitrix24.sim.setFaults({});
    await waitFor('readiness to come back', async () => ((await ready()).status === 200 ? true : null));
    const ended = await waitFor('the interrupted reconciliation to end', async () => {
      const s = await runStatus(`/api/v1/reconciliations/${id}`);
      return s === 'running' || s === 'queued' ? null : s;
    });
    expect(ended).toBe('failed');
    expect(await runError('reconciliation_run', id)).toMatch(LOST_DATABASE);
    const next = await waitFor('a new reconciliation to be accepted', async () => {
      const r = await service.api('POST', '/api/v1/reconciliations', key, { dedupe: false });
      return r.status === 202 ? (r.json().id as string) : null;
    });
    const final = await waitFor(
      'the new reconciliation to finish',
      async () => {
        const s = await runStatus(`/api/v1/reconciliations/${next}`);
        return s === 'running' || s === 'queued' ? null : s;
      },
      120_000,
    );
    expect(final).toBe('succeeded');
    expect(service.proc.exitCode).toBeNull();
  });
});
