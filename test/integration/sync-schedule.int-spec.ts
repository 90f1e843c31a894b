import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/bootstrap.js';
import { parseSettings } from '../../src/config/settings.js';
import { createDataSource } from '../../src/database/data-source.js';
import { simMapping } from '../../sim/mapping.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { simulatorEnv } from '../support/simulator-env.js';

jest.setTimeout(300_000);

/**
 * Two service instances (two Nest applications, each with its scheduler, queue worker and runner) on
 * one database with a seconds-level schedule (every 3 s) for several slots: exactly one run per slot,
 * never two runs at once. Then a run left `running` by a "crashed" instance is recovered.
 */
describe('scheduled sync across two instances', () => {
  let db: TestDatabase;
  let sims: RunningSimulators;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('sync_sched');
    const ds = createDataSource(db.url, { poolSize: 1 });
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    sims = await startSimulators({
      dataset: generateDataset({
        seed: 51,
        counterparties: 20,
        contactsPerCounterparty: 1,
        ordersPerCounterparty: 1,
      }),
      bitrixLimits: false,
    });
  });
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await sims?.close();
    await db?.drop();
  });

  const start = async () => {
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        DB_MIGRATE: 'false',
        SCHEDULER_ENABLED: 'true',
        SYNC_CRON: '*/3 * * * * *',
        SCHEDULE_TZ: 'Europe/Moscow',
        ...simulatorEnv(sims),
      },
      { mode: 'embedded' },
    );
    const app = await createApp({ settings, mapping: simMapping(), databaseUrl: db.url });
    await app.init();
    apps.push(app);
    return app;
  };

  it('exactly one run per slot, never two at once', async () => {
    const a = await start();
    await start();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 16_000));
    for (const app of apps.splice(0)) await app.close();
    const ds = createDataSource(db.url, { poolSize: 1 });
    await ds.initialize();
    try {
      const runs = (await ds.query(
        `SELECT id, slot, status, owner, started_at, finished_at FROM sync_run WHERE trigger = 'schedule' ORDER BY slot`,
      )) as {
        slot: Date;
        status: string;
        owner: string | null;
        started_at: Date | null;
        finished_at: Date | null;
      }[];
      const slots = runs.map((r) => new Date(r.slot).getTime());
      expect(new Set(slots).size).toBe(slots.length);
      expect(runs.length).toBeGreaterThanOrEqual(4);
      // Consecutive slots, 3 s apart: no slot skipped, none doubled.
      for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(3000);
      expect(slots[0]).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000 - 3000);
      const done = runs.filter((r) => r.finished_at);
      expect(done.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(3);
      const spans = done
        .filter((r) => r.started_at)
        .map((r) => [new Date(r.started_at!).getTime(), new Date(r.finished_at!).getTime()]);
      spans.sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
      void a;
    } finally {
      await ds.destroy();
    }
  });

  it('a run left running by a stopped instance is recovered as failed; a live owner keeps its run', async () => {
    const ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    try {
      await ds.query(
        `UPDATE sync_run SET status = 'failed', finished_at = now() WHERE status IN ('queued', 'running')`,
      );
      const [{ id }] = (await ds.query(
        `INSERT INTO sync_run (status, trigger, entities, started_at, heartbeat_at, owner)
         VALUES ('running', 'api', '{counterparties}', now() - interval '1 hour', now() - interval '1 hour', 'gone:1') RETURNING id`,
      )) as { id: string }[];
      const runner = new SyncRunnerService(ds, simMapping(), null as never, null);
      // A new trigger finds the stale run, recovers it, and is accepted.
      const { run, created } = await runner.create({ trigger: 'api' });
      expect(created).toBe(true);
      const [old] = (await ds.query(`SELECT status, error FROM sync_run WHERE id = $1`, [id])) as {
        status: string;
        error: string;
      }[];
      expect(old).toEqual({
        status: 'failed',
        error: 'recovered: its instance stopped answering (no heartbeat for 120 s)',
      });
      // A run whose owner holds its lock is not touched: the next trigger is refused naming it.
      const owner = (await runner.runs.begin(run.id))!;
      try {
        await expect(runner.create({ trigger: 'api' })).rejects.toMatchObject({ activeRunId: run.id });
      } finally {
        await owner.close();
      }
      // The owner is gone (its lock released): the next trigger recovers the run at once and is accepted.
      const next = await runner.create({ trigger: 'api' });
      expect(next.created).toBe(true);
      const [lost] = (await ds.query(`SELECT status, error FROM sync_run WHERE id = $1`, [run.id])) as {
        status: string;
        error: string;
      }[];
      expect(lost).toEqual({
        status: 'failed',
        error: 'recovered: its instance stopped or lost the database (its lock was released)',
      });
    } finally {
      await ds.destroy();
    }
  });
});
