import { jest } from '@jest/globals';
import pg from 'pg';
import { parseSettings } from '../../src/config/settings.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { simMapping } from '../../sim/mapping.js';
import { doorbellSignature, type ODataRow } from '../../sim/onec/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { crmWriteCount } from '../factories/sync-harness.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';
import { createApiKey, startService, type ServiceProcess } from '../support/service-process.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(300_000);

const SECRET = 'an-e2e-doorbell-secret-of-32-chars';

/**
 * The whole system with the 1C change feed on: the built service as a child process, a real PostgreSQL,
 * the fake 1C ringing the service's doorbell over real HTTP and serving its change feed, the fake portal.
 * 50 changes in 1C reach the CRM and are acknowledged; then a service killed (-9) between its CRM writes
 * and the ack is restarted: nothing is written twice, nothing is lost, and the message is acknowledged once.
 */
describe('near-real-time 1C → CRM through the change feed', () => {
  const dataset = generateDataset({
    seed: 57,
    counterparties: 150,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1,
  });
  let db: TestDatabase;
  let sims: RunningSimulators;
  let env: Record<string, string>;
  let key: string;
  let onec: OneCPort;
  const services: ServiceProcess[] = [];

  const c1 = () => sims.onec.sim;
  const start = async (extra: Record<string, string> = {}) => {
    const s = await startService({ ...env, ...extra });
    services.push(s);
    c1().setDoorbell({ url: `${s.url}/api/v1/events/onec`, secret: SECRET });
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
  const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const live = () =>
    c1()
      .rows('counterparties')
      .filter((r) => !r.IsFolder && !r.DeletionMark) as ODataRow[];
  const rename = (r: ODataRow, suffix: string) =>
    c1().update('counterparties', String(r.Ref_Key), { Description: `${String(r.Description)} ${suffix}` });
  const addCounterparty = (like: ODataRow, n: string) =>
    c1().add('counterparties', {
      ...like,
      Ref_Key: undefined,
      Code: `${String(like.Code)}${n}`,
      Description: `Новый ${n}`,
    });
  const acks = () => c1().calls.filter((c) => c.method === 'POST' && c.path.endsWith('/hs/sverka/ack'));
  type FeedRun = {
    id: string;
    status: string;
    error: string | null;
    stats: Record<string, Record<string, number>>;
  };
  const feedRunsSince = (t: Date) =>
    query<FeedRun>(
      `SELECT id, status, error, stats FROM sync_run WHERE trigger = 'feed' AND created_at >= $1 ORDER BY created_at`,
      [t],
    );
  const total = (runs: FeedRun[], field: string) =>
    runs.reduce((a, r) => a + (r.stats.counterparties?.[field] ?? 0), 0);

  beforeAll(async () => {
    db = await createTestDatabase('feed_e2e');
    sims = await startSimulators({ dataset, bitrixLimits: false });
    env = {
      DATABASE_URL: db.url,
      ...simulatorEnv(sims),
      ONEC_FEED_URL: sims.onec.feedUrl,
      ONEC_FEED_SECRET: SECRET,
      SCHEDULER_ENABLED: 'false',
    };
    onec = createOneCPort(parseSettings({ LOG_LEVEL: 'silent', ...env }, { mode: 'embedded' }), simMapping());
    const first = await start(); // runs the migrations
    key = createApiKey(env, 'feed-e2e', 'operator');
    const sync = await first.api('POST', '/api/v1/sync/runs', key, {});
    expect(sync.status).toBe(202);
    await until(
      'the first sync',
      async () =>
        (await first.api('GET', `/api/v1/sync/runs/${sync.json().id}`, key)).json().status === 'succeeded',
    );
    await first.stop();
    services.length = 0;
    env.DB_MIGRATE = 'false';
  });
  afterAll(async () => {
    for (const s of services) await s.kill9().catch(() => undefined);
    await sims?.close();
    await db?.drop();
  });

  it('50 changes in 1C ring the doorbell, reach the CRM and are acknowledged; status and metrics show the feed caught up', async () => {
    const svc = await start();
    const t0 = new Date();
    const cps = live();
    for (const r of cps.slice(0, 45)) rename(r, '(лента)');
    for (let i = 1; i <= 5; i++) addCounterparty(cps[50], `A${i}`);
    expect(c1().feed.counters().pending).toBe(50);

    await until('the feed caught up', () => c1().feed.counters().pending === 0, 30_000);
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });
    const runs = await feedRunsSince(t0);
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'succeeded'));
    expect(runs.length).toBeGreaterThan(0);
    expect([total(runs, 'scanned'), total(runs, 'created'), total(runs, 'updated')]).toEqual([50, 5, 45]);

    const { receivedNo } = c1().feed.counters();
    const status = (await svc.api('GET', '/api/v1/sync/status', key)).json();
    expect(status.feed).toMatchObject({
      pollSeconds: 60,
      lastAckedMessageNo: receivedNo,
      lastPullError: null,
      sentNo: receivedNo,
      receivedNo,
      pending: 0,
      lagSeconds: 0,
    });
    expect(status.activeRunId).toBeNull();
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/^sverka_feed_pending 0$/m);
    expect(metrics).toMatch(/^sverka_feed_lag_seconds 0$/m);
    expect(metrics).toMatch(/^sverka_sync_records_total\{entity="counterparties",result="created"\} 5$/m);
    await svc.stop();
  });

  it('kill -9 between the CRM writes and the ack, restart: no duplicate, nothing lost, the message acknowledged once', async () => {
    const before = c1().feed.counters();
    const crashing = await start({ SYNC_CRASH_AT: 'before-feed-ack:1' });
    const t0 = new Date();
    c1().clearCalls();
    const cps = live();
    for (const r of cps.slice(60, 100)) rename(r, '(сбой)');
    for (let i = 1; i <= 10; i++) addCounterparty(cps[110], `B${i}`);

    // The service kills itself (SIGKILL) once every item of the message is written and stored, before the ack.
    await until(
      'the kill',
      () => crashing.proc.signalCode !== null || crashing.proc.exitCode !== null,
      60_000,
    );
    expect(crashing.proc.signalCode).toBe('SIGKILL');
    expect(c1().feed.counters()).toEqual({
      sentNo: before.sentNo + 1,
      receivedNo: before.receivedNo,
      pending: 50,
    });
    expect(acks()).toEqual([]);
    // Everything reached the CRM before the kill.
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });
    const [dead] = await feedRunsSince(t0);

    sims.bitrix24.sim.clearCalls();
    c1().clearCalls();
    const svc = await start();
    // 1C's doorbell job rings again while sent changes stay unacknowledged (docs/protocols/onec-change-feed.md §3).
    const body = JSON.stringify({ node: 'SVERKA', pending: 50, ts: Math.floor(Date.now() / 1000) });
    const rang = await fetch(`${svc.url}/api/v1/events/onec`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sverka-Signature': doorbellSignature(body, SECRET) },
      body,
    });
    expect(rang.status).toBe(202);
    await until('the feed caught up after the restart', () => c1().feed.counters().pending === 0, 60_000);

    expect(c1().feed.counters()).toEqual({
      sentNo: before.sentNo + 2,
      receivedNo: before.sentNo + 2,
      pending: 0,
    });
    expect(acks().map((c) => c.status)).toEqual([200]);
    expect(crmWriteCount(sims.bitrix24.sim)).toBe(0);
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });
    const runs = await feedRunsSince(t0);
    expect(runs.map((r) => [r.id, r.status])).toEqual([
      [dead.id, 'failed'],
      [runs[1].id, 'succeeded'],
    ]);
    expect(runs[0].error).toBe(
      'recovered: its instance stopped or lost the database (its lock was released)',
    );
    expect(runs[1].stats.counterparties).toEqual({
      scanned: 50,
      created: 0,
      updated: 0,
      unchanged: 50,
      skipped: 0,
      failed: 0,
      linked: 0,
      held: 0,
    });
    const status = (await svc.api('GET', '/api/v1/sync/status', key)).json();
    expect(status.feed).toMatchObject({ lastAckedMessageNo: before.sentNo + 2, pending: 0, lagSeconds: 0 });
    await svc.stop();
  });
});
