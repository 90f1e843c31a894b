import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { parseSettings } from '../../src/config/settings.js';
import { simMapping } from '../../sim/mapping.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { startCrmDriver } from '../factories/crm-driver.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';
import { ensureBuilt } from '../support/built.js';
import { createApiKey, startService, type ServiceProcess } from '../support/service-process.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(300_000);

/** Recovery goal of a run whose instance died (kill -9, power loss): a new run is accepted within this. */
const RECOVERY_GOAL_MS = 15_000;

/**
 * kill -9 of real service processes (their whole process group) in the middle of a sync and of a
 * reconciliation: the next instance to start, or a surviving instance without any restart, accepts a
 * new run within 15 s, the dead run is recorded as failed, and the data ends up right.
 */
describe('runs after a crash: recovered in seconds', () => {
  const mapping = simMapping();
  const dataset = generateDataset({
    seed: 91,
    counterparties: 400,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1,
  });
  let db: TestDatabase;
  let sims: RunningSimulators;
  let env: Record<string, string>;
  let key: string;
  const services: ServiceProcess[] = [];
  /** Databases of the other CRM's test, dropped at the end. */
  const otherDbs: TestDatabase[] = [];

  const start = async () => {
    const s = await startService(env);
    services.push(s);
    return s;
  };
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  };
  /** Polls a run until it is running (and has done some work for `afterMs`); fails if it ends first. */
  const whenRunning = async (s: ServiceProcess, path: string, afterMs: number) => {
    const end = Date.now() + 60_000;
    for (;;) {
      const r = (await s.api('GET', path, key)).json();
      if (r.status === 'running') break;
      if (r.status !== 'queued') throw new Error(`run ended before the kill: ${JSON.stringify(r)}`);
      if (Date.now() > end) throw new Error('run did not start');
      await new Promise((res) => setTimeout(res, 50));
    }
    await new Promise((res) => setTimeout(res, afterMs));
    const r = (await s.api('GET', path, key)).json();
    expect(r.status).toBe('running');
  };
  /** POSTs every 100 ms until 202; the time from `since` to the accepted POST. */
  const acceptedAfter = async (s: ServiceProcess, path: string, body: unknown, since: number) => {
    for (;;) {
      const r = await s.api('POST', path, key, body);
      if (r.status === 202) return { ms: Date.now() - since, id: r.json().id as string };
      expect(r.status).toBe(409);
      if (Date.now() - since > 60_000) throw new Error(`${path} still 409 after 60 s`);
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  const finished = async (s: ServiceProcess, path: string) => {
    const end = Date.now() + 120_000;
    for (;;) {
      const res = await s.api('GET', path, key).catch((e: unknown) => {
        throw new Error(`${path}: ${String(e)}; the service said:\n${s.log().slice(-4000)}`);
      });
      const r = res.json();
      if (!['queued', 'running'].includes(r.status)) return r;
      if (Date.now() > end) throw new Error(`${path} did not finish`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('crash_e2e');
    // The portal at a slow plan (5 requests/s) so that a sync takes several seconds.
    sims = await startSimulators({ dataset, bitrixLimits: { rps: 5, burst: 5 } });
    env = {
      DATABASE_URL: db.url,
      ...simulatorEnv(sims),
      BITRIX24_RPS: '5',
      BITRIX24_BURST: '5',
      SCHEDULER_ENABLED: 'false',
    };
    const first = await start(); // runs the migrations
    key = createApiKey(env, 'crash-e2e', 'operator');
    await first.stop();
    services.length = 0;
    env.DB_MIGRATE = 'false';
  });
  afterAll(async () => {
    for (const s of services) await s.kill9().catch(() => undefined);
    await sims?.close();
    await db?.drop();
    for (const d of otherDbs) await d.drop();
  });

  it('kill -9 during a sync, then during a reconciliation: the next instance accepts a new run within 15 s', async () => {
    const a = await start();
    const sync = await a.api('POST', '/api/v1/sync/runs', key, {});
    expect(sync.status).toBe(202);
    const syncId = sync.json().id as string;
    await whenRunning(a, `/api/v1/sync/runs/${syncId}`, 1500);
    const killedAt = Date.now();
    await a.kill9();

    const b = await start();
    const again = await acceptedAfter(b, '/api/v1/sync/runs', {}, killedAt);
    expect(again.ms).toBeLessThanOrEqual(RECOVERY_GOAL_MS);
    const [dead] = await query<{ status: string; error: string }>(
      `SELECT status, error FROM sync_run WHERE id = $1`,
      [syncId],
    );
    expect(dead).toEqual({
      status: 'failed',
      error: 'recovered: its instance stopped or lost the database (its lock was released)',
    });
    // The new run completes what the dead one left: every record once, fields as in 1C.
    expect((await finished(b, `/api/v1/sync/runs/${again.id}`)).status).toBe('succeeded');
    const onec = createOneCPort(
      parseSettings({ LOG_LEVEL: 'silent', ...env }, { mode: 'embedded' }),
      mapping,
    );
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });

    // A reconciliation slowed down by a portal that answers in 300 ms.
    sims.bitrix24.sim.setFaults({ latencyMs: 300 });
    const rec = await b.api('POST', '/api/v1/reconciliations', key, { dedupe: true, sampleSize: 20 });
    expect(rec.status).toBe(202);
    const recId = rec.json().id as string;
    await whenRunning(b, `/api/v1/reconciliations/${recId}`, 500);
    const killedAt2 = Date.now();
    await b.kill9();
    sims.bitrix24.sim.setFaults({});

    const c = await start();
    const again2 = await acceptedAfter(c, '/api/v1/reconciliations', { dedupe: false }, killedAt2);
    expect(again2.ms).toBeLessThanOrEqual(RECOVERY_GOAL_MS);
    const [dead2] = await query<{ status: string; error: string }>(
      `SELECT status, error FROM reconciliation_run WHERE id = $1`,
      [recId],
    );
    expect(dead2).toEqual({
      status: 'failed',
      error: 'recovered: its instance stopped or lost the database (its lock was released)',
    });
    expect((await finished(c, `/api/v1/reconciliations/${again2.id}`)).status).toBe('succeeded');
    await c.stop();
  });

  it('sync-once beside a live service is refused while the service syncs: never a second writer', async () => {
    const live = await start();
    for (const r of sims.onec.sim
      .rows('counterparties')
      .filter((row) => !row.IsFolder)
      .slice(0, 300))
      sims.onec.sim.update('counterparties', String(r.Ref_Key), {
        Description: `${String(r.Description)} (1)`,
      });
    const sync = await live.api('POST', '/api/v1/sync/runs', key, {});
    expect(sync.status).toBe(202);
    const id = sync.json().id as string;
    await whenRunning(live, `/api/v1/sync/runs/${id}`, 300);
    const cli = spawnSync(
      process.execPath,
      [join(ensureBuilt(), 'dist/src/cli/sync-once.js'), '--wait', '1'],
      {
        cwd: '/tmp',
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(3);
    expect(cli.stderr.trim()).toBe(
      `sync not started: sync run ${id} is active on a live instance (waited 1 s); not starting a second writer`,
    );
    // The service's run was not disturbed, and it stays the only run of that time.
    expect((await finished(live, `/api/v1/sync/runs/${id}`)).status).toBe('succeeded');
    expect(await query(`SELECT count(*)::int AS n FROM sync_run WHERE trigger = 'cli'`)).toEqual([{ n: 0 }]);
    await live.stop();
  });

  it('two instances: the survivor recovers the dead instance’s run within 15 s, without a restart', async () => {
    const x = await start();
    const y = await start();
    // 1C moves on so that the sync has work to do.
    for (const r of sims.onec.sim
      .rows('counterparties')
      .filter((row) => !row.IsFolder)
      .slice(0, 300))
      sims.onec.sim.update('counterparties', String(r.Ref_Key), {
        Description: `${String(r.Description)} (ред.)`,
      });
    const sync = await x.api('POST', '/api/v1/sync/runs', key, {});
    expect(sync.status).toBe(202);
    const id = sync.json().id as string;
    await whenRunning(x, `/api/v1/sync/runs/${id}`, 800);
    const [{ owner }] = await query<{ owner: string }>(`SELECT owner FROM sync_run WHERE id = $1`, [id]);
    const [dying, survivor] = owner.split(':')[1] === String(x.pid) ? [x, y] : [y, x];
    expect(owner.split(':')[1]).toBe(String(dying.pid));
    const killedAt = Date.now();
    await dying.kill9();
    // No POST meanwhile: the survivor's own sweep must find the dead run.
    const end = killedAt + 60_000;
    let status = 'running';
    while (status === 'running' && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 100));
      status = (await survivor.api('GET', `/api/v1/sync/runs/${id}`, key)).json().status;
    }
    expect(status).toBe('failed');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(RECOVERY_GOAL_MS);
    const next = await acceptedAfter(survivor, '/api/v1/sync/runs', {}, Date.now());
    expect((await finished(survivor, `/api/v1/sync/runs/${next.id}`)).status).toBe('succeeded');
    const onec = createOneCPort(
      parseSettings({ LOG_LEVEL: 'silent', ...env }, { mode: 'embedded' }),
      mapping,
    );
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });
    await survivor.stop();
  });
  it('on amoCRM too: kill -9 during a sync, the next instance accepts a new run within 15 s and completes the data', async () => {
    const amo = await startCrmDriver('amocrm', dataset);
    const amoDb = await createTestDatabase('crash_e2e_amo');
    otherDbs.push(amoDb);
    // 2 requests a second (the adapter may go slower than amoCRM's 7, never faster): a sync of several seconds.
    const amoEnv = { DATABASE_URL: amoDb.url, ...amo.env, AMOCRM_RPS: '2', SCHEDULER_ENABLED: 'false' };
    try {
      const a = await startService(amoEnv);
      services.push(a);
      const amoKey = createApiKey(amoEnv, 'crash-e2e', 'operator');
      const sync = await a.api('POST', '/api/v1/sync/runs', amoKey, {});
      expect(sync.status).toBe(202);
      const syncId = sync.json().id as string;
      const [k, e] = [key, env];
      [key, env] = [amoKey, amoEnv];
      try {
        await whenRunning(a, `/api/v1/sync/runs/${syncId}`, 1500);
        const killedAt = Date.now();
        await a.kill9();

        const b = await start();
        const again = await acceptedAfter(b, '/api/v1/sync/runs', {}, killedAt);
        expect(again.ms).toBeLessThanOrEqual(RECOVERY_GOAL_MS);
        const c = new pg.Client({ connectionString: amoDb.url });
        await c.connect();
        const { rows } = await c.query(`SELECT status, error FROM sync_run WHERE id = $1`, [syncId]);
        await c.end();
        expect(rows).toEqual([
          {
            status: 'failed',
            error: 'recovered: its instance stopped or lost the database (its lock was released)',
          },
        ]);
        // What the dead run wrote is found by its 1C key, not created twice: every record once, fields as in 1C.
        expect((await finished(b, `/api/v1/sync/runs/${again.id}`)).status).toBe('succeeded');
        const onec = createOneCPort(
          parseSettings({ LOG_LEVEL: 'silent', ...amoEnv }, { mode: 'embedded' }),
          mapping,
        );
        expect(await amo.check(onec)).toEqual({ duplicates: [], missing: [], wrong: [] });
        expect(amo.faultsSeen().refused).toBe(0);
        await b.stop();
      } finally {
        [key, env] = [k, e];
      }
    } finally {
      await amo.close();
    }
  });
});
