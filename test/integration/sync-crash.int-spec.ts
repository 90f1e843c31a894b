import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { simMapping } from '../../sim/mapping.js';
import { parseSettings } from '../../src/config/settings.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { mulberry32 } from '../../sim/common/prng.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { ensureBuilt } from '../support/built.js';

jest.setTimeout(600_000);

const CLI = 'dist/src/cli/sync-once.js';
const dataset = generateDataset({
  seed: 11,
  counterparties: 120,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
});

/**
 * kill -9 of the process running a sync (`node dist/src/cli/sync-once.js`) at random moments and at
 * fixed points (right after a CRM batch answered, before its links were committed; after a link
 * commit; after a requisite batch) and at random moments, 16 times, with 1C changing between crashes; each crash is followed
 * by a restart that runs to completion: then 0 duplicates, 0 missing, every field equal to 1C's latest.
 */
describe('sync survives kill -9 at any point', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sims: RunningSimulators;
  let onec: OneCPort;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    ensureBuilt();
    db = await createTestDatabase('sync_crash');
    ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    await ds.runMigrations();
    sims = await startSimulators({ dataset, bitrixLimits: false });
    env = {
      ...process.env,
      NODE_OPTIONS: '',
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      DB_MIGRATE: 'false',
      ...simulatorEnv(sims),
    };
    const settings = parseSettings({ ...env, LOG_LEVEL: 'silent' } as Record<string, string>, {
      mode: 'embedded',
    });
    onec = createOneCPort(settings, simMapping());
  });
  afterAll(async () => {
    await sims?.close();
    await ds?.destroy();
    await db?.drop();
  });

  /** Runs sync-once; `killAfterMs` kills it (SIGKILL) after that long; resolves with the exit code/signal. */
  const runOnce = (extra: Record<string, string> = {}, killAfterMs?: number) =>
    new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI], {
        env: { ...env, ...extra },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : null;
      child.on('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code, signal, out });
      });
    });

  it('16 kill -9 (6 at fixed points, 10 at random moments), each followed by a rerun: no duplicate, nothing missing, fields equal to 1C', async () => {
    const rnd = mulberry32(5);
    const fixed = [
      'after-records-created:1', // the first companies were created; their links are not committed yet
      'after-link-commit:1', // links stored, the companies' tax details not written yet
      'after-batch-answer:1', // a batch answered, its outcome not stored yet
      // Later runs change ~40 counterparties: one or two batches, so the first of each point.
      'after-records-created:1',
      'after-batch-answer:1',
      'after-link-commit:1',
    ];
    const live = () => sims.onec.sim.rows('counterparties').filter((r) => !r.IsFolder && !r.DeletionMark);
    let killed = 0;
    for (let i = 0; i < 16; i++) {
      if (i > 0) {
        // 1C changes between crashes: renames, new counterparties (creates), a new contact order of business.
        const rows = live();
        for (let k = 0; k < 30; k++) {
          const r = rows[Math.floor(rnd() * rows.length)];
          sims.onec.sim.update('counterparties', String(r.Ref_Key), {
            Description: `Контрагент ${i}-${k} ${String(r.Code)}`,
          });
        }
        for (let k = 0; k < 8; k++) {
          const base = rows[Math.floor(rnd() * rows.length)];
          const { Ref_Key: _ref, DataVersion: _dv, ...rest } = base;
          sims.onec.sim.add('counterparties', { ...rest, Code: `N${i}${k}`, Description: `Новый ${i}-${k}` });
        }
      }
      if (i < fixed.length) {
        // A fixed point is always reached: the run must die there.
        const crashed = await runOnce({ SYNC_CRASH_AT: fixed[i] });
        expect({ point: fixed[i], signal: crashed.signal }).toEqual({ point: fixed[i], signal: 'SIGKILL' });
        killed++;
      } else {
        // A random moment; when the run finished before it, the next try kills sooner.
        let delay = 200 + Math.floor(rnd() * 900);
        for (let t = 0; t < 5; t++) {
          if ((await runOnce({}, delay)).signal === 'SIGKILL') {
            killed++;
            break;
          }
          delay = Math.floor(delay * 0.6);
        }
      }
      const rerun = await runOnce();
      expect(rerun.code === 0 ? 'ok' : rerun.out.slice(-2000)).toBe('ok');
      const check = await checkCrmAgainst1C(onec, sims.bitrix24.sim);
      expect(check).toEqual({ duplicates: [], missing: [], wrong: [] });
    }
    // The fixed points always kill; random moments may fall after a short run finished (then retried sooner).
    expect(killed).toBeGreaterThanOrEqual(10);
    // A crashed run is recovered as failed ("instance stopped"), never left running.
    const stuck = (await ds.query(
      `SELECT count(*)::int AS n FROM sync_run WHERE status IN ('queued', 'running')`,
    )) as { n: number }[];
    expect(stuck[0].n).toBe(0);
  });
});
