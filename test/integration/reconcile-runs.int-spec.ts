import { jest } from '@jest/globals';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource } from 'typeorm';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { createDataSource } from '../../src/database/data-source.js';
import { simMapping } from '../../sim/mapping.js';
import { QueueService } from '../../src/queue/queue.service.js';
import { RECONCILE_SLOT_RETRY_QUEUE } from '../../src/reconcile/reconcile.constants.js';
import { ReconcileRunRepository } from '../../src/reconcile/reconcile-run.repository.js';
import { RunLease, runLockKey } from '../../src/runs/run-lease.js';
import { RunSweeperService } from '../../src/runs/run-sweeper.service.js';
import { ActiveRunError } from '../../src/runs/run.types.js';
import { ReconcileQueueService } from '../../src/reconcile/reconcile-queue.service.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import { ReconcileScheduler } from '../../src/reconcile/reconcile.scheduler.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(60_000);

/** Run lifecycle on real PostgreSQL: one run per schedule slot across instances, one active run, recovery. */
describe('reconciliation runs across instances', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let settings: Settings;
  const queues: QueueService[] = [];

  /** One "instance": its own queue client, runner and scheduler on the shared database (no worker). */
  async function instance() {
    const q = new QueueService(db.url);
    await q.onModuleInit();
    queues.push(q);
    const runner = new ReconcileRunnerService(ds, settings, simMapping());
    const rq = new ReconcileQueueService(q, runner, new RunSweeperService());
    const scheduler = new ReconcileScheduler(settings, {} as SchedulerRegistry, rq);
    return { runner, rq, scheduler };
  }

  beforeAll(async () => {
    db = await createTestDatabase('reconcile_runs');
    ds = createDataSource(db.url, { poolSize: 6 });
    await ds.initialize();
    await ds.runMigrations();
    settings = parseSettings(
      { LOG_LEVEL: 'silent', DATABASE_URL: db.url, SCHEDULE_TZ: 'Europe/Moscow' },
      { mode: 'embedded' },
    );
  });
  afterEach(async () => {
    await ds.query(`DELETE FROM reconciliation_run`);
  });
  afterAll(async () => {
    for (const q of queues) await q.beforeApplicationShutdown();
    await ds?.destroy();
    await db?.drop();
  });

  it('two instances ticking for the same day create exactly one scheduled run', async () => {
    const [a, b] = [await instance(), await instance()];
    const at = new Date('2026-11-28T03:00:00Z'); // 06:00 in Moscow
    await Promise.all([a.scheduler.tick(at), b.scheduler.tick(at), a.scheduler.tick(at)]);
    const runs = (await ds.query(`SELECT slot, trigger, status, options FROM reconciliation_run`)) as {
      slot: string;
      trigger: string;
      options: { dedupe: boolean; report: boolean };
    }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ slot: '2026-11-28', trigger: 'schedule' });
    expect(runs[0].options).toMatchObject({ dedupe: true, report: true });
    // The queue got it once.
    expect(await queues[0].queueSize('reconcile-run')).toBe(1);
  });

  it('while one run is active, a second API run is refused naming it; concurrent creates yield one run', async () => {
    const { runner } = await instance();
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => runner.create({ trigger: 'api' })));
    const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
      run: { id: string };
    }>[];
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(ActiveRunError);
      expect((r.reason as ActiveRunError).activeRunId).toBe(ok[0].value.run.id);
    }
  });

  it('a queued run starts once: a second worker taking the same run gets false', async () => {
    const { runner } = await instance();
    const { run } = await runner.create({ trigger: 'api' });
    const repo = new ReconcileRunRepository(ds);
    const starts = await Promise.all([
      repo.start(run.id, 'a'),
      repo.start(run.id, 'b'),
      repo.start(run.id, 'c'),
    ]);
    expect(starts.filter(Boolean)).toHaveLength(1);
    expect(await repo.start(run.id, 'd')).toBe(false);
  });

  it("a daily tick that finds an API run active defers the day's slot instead of skipping it", async () => {
    const { runner, rq, scheduler } = await instance();
    const { run: api } = await runner.create({ trigger: 'api' });
    const before = await queues[0].queueSize(RECONCILE_SLOT_RETRY_QUEUE);
    await scheduler.tick(new Date('2026-11-30T03:00:00Z'));
    expect(await ds.query(`SELECT id FROM reconciliation_run WHERE slot IS NOT NULL`)).toEqual([]);
    expect(await queues[0].queueSize(RECONCILE_SLOT_RETRY_QUEUE)).toBe(before + 1);

    // Still active a minute later: deferred again.
    const retry = { slot: '2026-11-30', timeZone: 'Europe/Moscow' };
    expect(await rq.retrySlot(retry, new Date('2026-11-30T03:01:00Z'))).toBeNull();
    expect(await queues[0].queueSize(RECONCILE_SLOT_RETRY_QUEUE)).toBe(before + 2);

    // The API run ends: the next try takes the slot, exactly once.
    await ds.query(`UPDATE reconciliation_run SET status = 'succeeded', finished_at = now() WHERE id = $1`, [
      api.id,
    ]);
    const [a, b] = await Promise.all([
      rq.retrySlot(retry, new Date('2026-11-30T03:02:00Z')),
      rq.retrySlot(retry, new Date('2026-11-30T03:02:00Z')),
    ]);
    expect(a?.id).toBeDefined();
    expect(b?.id).toBe(a?.id);
    const slotted = (await ds.query(
      `SELECT trigger, slot FROM reconciliation_run WHERE slot IS NOT NULL`,
    )) as unknown[];
    expect(slotted).toEqual([{ trigger: 'schedule', slot: '2026-11-30' }]);
  });

  it('a deferred slot gives up once its day is over in the schedule time zone', async () => {
    const { rq } = await instance();
    // 2026-11-30 in Moscow ended at 21:00 UTC.
    expect(
      await rq.retrySlot({ slot: '2026-11-30', timeZone: 'Europe/Moscow' }, new Date('2026-11-30T21:00:00Z')),
    ).toBeNull();
    expect(await ds.query(`SELECT id FROM reconciliation_run`)).toEqual([]);
  });

  it('catch-up after a start: a day whose scheduled run was missed gets it late, once; otherwise nothing', async () => {
    const [a, b] = [await instance(), await instance()];
    // 06:00 in Moscow (03:00 UTC) has passed, nothing was created since: both instances catch up, one run.
    const late = new Date('2026-12-01T05:00:00Z');
    const [ra, rb] = await Promise.all([a.scheduler.catchUp(late), b.scheduler.catchUp(late)]);
    // The instance that comes second either sees the run already created (null) or gets the same one.
    const ids = [ra, rb].flatMap((r) => (r ? [r.id] : []));
    expect(ids.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ids).size).toBe(1);
    expect(await ds.query(`SELECT trigger, slot FROM reconciliation_run`)).toEqual([
      { trigger: 'schedule', slot: '2026-12-01' },
    ]);
    // Before the day's fire time there is nothing to catch up.
    expect(await a.scheduler.catchUp(new Date('2026-12-02T02:59:00Z'))).toBeNull();
    // A run of any trigger created after the fire time counts as the day's run.
    await ds.query(`UPDATE reconciliation_run SET status = 'succeeded', finished_at = now()`);
    await ds.query(
      `INSERT INTO reconciliation_run (status, trigger, created_at, finished_at) VALUES ('succeeded', 'api', '2026-12-02T03:05:00Z', '2026-12-02T03:09:00Z')`,
    );
    expect(await a.scheduler.catchUp(new Date('2026-12-02T07:00:00Z'))).toBeNull();
    expect(await ds.query(`SELECT id FROM reconciliation_run WHERE slot = '2026-12-02'`)).toEqual([]);
  });

  it('the same Idempotency-Key returns the same run, even after it finished', async () => {
    const { runner } = await instance();
    const a = await runner.create({ trigger: 'api', idempotencyKey: 'abc' });
    await ds.query(`UPDATE reconciliation_run SET status = 'succeeded', finished_at = now() WHERE id = $1`, [
      a.run.id,
    ]);
    const b = await runner.create({ trigger: 'api', idempotencyKey: 'abc' });
    expect(b).toMatchObject({ created: false, run: { id: a.run.id } });
  });

  it('a running run is alive while its owner holds its lock, and recovered at once when the lock is gone', async () => {
    const { runner } = await instance();
    const [{ id }] = (await ds.query(
      `INSERT INTO reconciliation_run (status, trigger, owner, started_at, heartbeat_at) VALUES ('running', 'api', 'x', now(), now()) RETURNING id`,
    )) as { id: string }[];
    const lease = (await RunLease.acquire(ds, runLockKey('reconcile', id)))!;
    expect(lease).not.toBeNull();
    expect(await runner.lifecycle.recoverDead()).toEqual([]);
    await lease.release();
    expect(await runner.lifecycle.recoverDead()).toEqual([id]);
    const [row] = (await ds.query(`SELECT status, error, finished_at FROM reconciliation_run WHERE id = $1`, [
      id,
    ])) as { status: string; error: string; finished_at: Date | null }[];
    expect(row.status).toBe('failed');
    expect(row.error).toBe('recovered: its instance stopped or lost the database (its lock was released)');
    expect(row.finished_at).not.toBeNull();
  });

  it('a running run whose heartbeat stopped for longer than the stall limit is recovered even with its lock held', async () => {
    const { runner } = await instance();
    const [{ id }] = (await ds.query(
      `INSERT INTO reconciliation_run (status, trigger, owner, started_at, heartbeat_at) VALUES ('running', 'api', 'x', now() - interval '1 hour', now() - interval '30 minutes') RETURNING id`,
    )) as { id: string }[];
    const lease = (await RunLease.acquire(ds, runLockKey('reconcile', id)))!;
    try {
      expect(await runner.lifecycle.recoverDead()).toEqual([id]);
      const [row] = (await ds.query(`SELECT status, error FROM reconciliation_run WHERE id = $1`, [id])) as {
        status: string;
        error: string;
      }[];
      expect(row).toEqual({
        status: 'failed',
        error: 'recovered: its instance stopped answering (no heartbeat for 120 s)',
      });
    } finally {
      await lease.release();
    }
  });

  it("a stale run does not block the day's scheduled run: enqueue recovers it first", async () => {
    const { scheduler } = await instance();
    const [{ id: stale }] = (await ds.query(
      `INSERT INTO reconciliation_run (status, trigger, started_at, heartbeat_at) VALUES ('running', 'schedule', now() - interval '2 hours', now() - interval '1 hour') RETURNING id`,
    )) as { id: string }[];
    await scheduler.tick(new Date('2026-11-29T03:00:00Z'));
    const rows = (await ds.query(`SELECT id, status, slot FROM reconciliation_run ORDER BY created_at`)) as {
      id: string;
      status: string;
      slot: string | null;
    }[];
    expect(rows).toEqual([
      { id: stale, status: 'failed', slot: null },
      { id: expect.any(String), status: 'queued', slot: '2026-11-29' },
    ]);
  });

  it('without 1C and CRM configured, a run is partial with the reasons, never succeeded', async () => {
    const { runner } = await instance();
    const run = await runner.runNow({ trigger: 'cli', entities: ['counterparties', 'debts'] });
    expect(run.status).toBe('partial');
    expect(run.summary!.skippedChecks!.map((s) => s.check)).toEqual([
      'counterparties: 1C snapshot',
      'counterparties: CRM snapshot',
      'debts: 1C snapshot',
      'debts: CRM snapshot',
    ]);
    expect(run.summary!.counts).toEqual({});
  });

  it("the summary carries sync's open field conflicts (count and the oldest), for the report and Grafana", async () => {
    const { runner } = await instance();
    await ds.query(
      `INSERT INTO sync_conflict (entity, onec_ref, crm_id, field, onec_value, crm_value, created_at) VALUES
        ('counterparties', 'r1', '1', 'title', 'A', 'B', '2026-11-20T10:00:00Z'),
        ('contacts', 'r2', '2', 'phones', '+74950000001', '+74950000002', '2026-11-25T10:00:00Z')`,
    );
    try {
      const run = await runner.runNow({ trigger: 'cli', entities: ['counterparties'] });
      expect(run.summary!.conflicts).toEqual({ open: 2, oldestOpenedAt: '2026-11-20T10:00:00.000Z' });
    } finally {
      await ds.query(`DELETE FROM sync_conflict`);
    }
  });
});
