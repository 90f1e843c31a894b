import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { parseSettings } from '../src/config/settings.js';
import { createDataSource } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { defaultMapping } from '../src/mapping/default-mapping.js';
import { createOneCPort } from '../src/onec/onec.module.js';
import {
  compareCounts,
  compareFields,
  compareMissing,
  compareOrphans,
  countEntity,
  type CompareContext,
} from '../src/reconcile/reconcile-compare.sql.js';
import { indexStage, resetStage, stage } from '../src/reconcile/reconcile-stage.repository.js';
import { ReconcileRunnerService } from '../src/reconcile/reconcile-runner.service.js';
import { reconcileMessages } from '../src/reconcile/reconcile.messages.js';
import { generateDataset } from '../src/simulators/dataset/index.js';
import { startSimulators } from '../src/simulators/start-simulators.js';
import { SeededCrm } from '../test/integration/reconcile-support.js';
import type { BenchRow } from './bench.types.js';

/**
 * Reconciliation at scale.
 * 1. SQL compare: N 1C counterparties against N CRM companies (+ requisites + links) generated
 *    straight into the staging tables with generate_series (planted: 0.1 % title edits, 0.05 % INN
 *    edits, 0.1 % unlinked, 0.05 % orphans); then index + counts + missing + orphans + fields, timed.
 *    Peak RSS of this node process and of the PostgreSQL backend that ran the SQL (VmHWM).
 * 2. End to end over the fake 1C (real HTTP) for M counterparties, CRM side seeded in memory (the
 *    Bitrix24 simulator is not in the tree yet): wall time, and the CRM API floor the same run would
 *    need at BITRIX24_RPS=2 with 50-command batches (requests ÷ rps), for comparison.
 * Args: `--rows=N` (default 1000000), `--e2e=M` (default 20000; 0 skips).
 * DB: BENCH_DATABASE_URL, else an embedded PostgreSQL in a temp dir.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = (k: string, d: number) =>
    Number(
      args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ??
        process.env[`BENCH_RECONCILE_${k.toUpperCase()}`] ??
        d,
    );
  const n = arg('rows', 1_000_000);
  const m = arg('e2e', 20_000);
  const rows: BenchRow[] = [];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  let stopDb: (() => Promise<void>) | null = null;
  let dir: string | null = null;
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    dir = mkdtempSync(join(tmpdir(), 'sverka-bench-pg-'));
    const emb = await startEmbeddedPostgres({ dir, persistent: false });
    stopDb = emb.stop;
    const admin = new pg.Client({ connectionString: emb.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE bench_reconcile`).catch(() => undefined);
    await admin.end();
    const u = new URL(emb.adminUrl);
    u.pathname = '/bench_reconcile';
    url = u.toString();
  }
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  try {
    await ds.runMigrations();
    rows.push(...(await sqlCompare(ds, n)));
    rows.push({
      name: `node peak RSS up to the end of the ${n}-row compare`,
      value: Math.round(peakRss / 2 ** 20),
      unit: 'MiB',
      note: 'goal ≤ 1024 (the rows never enter node)',
    });
    if (m > 0) rows.push(...(await endToEnd(ds, url, m)));
  } finally {
    clearInterval(sampler);
    await ds.destroy();
    await stopDb?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  rows.push({
    name: 'node peak RSS (whole bench, incl. the in-memory CRM of the end-to-end run)',
    value: Math.round(peakRss / 2 ** 20),
    unit: 'MiB',
    note: 'goal ≤ 1024 for the 1M compare',
  });
  return rows;
}

async function backendHwm(db: { query(sql: string): Promise<unknown> }): Promise<number | null> {
  const [{ pid }] = (await db.query(`SELECT pg_backend_pid() AS pid`)) as { pid: number }[];
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null; // the server is on another machine
  }
}

async function sqlCompare(ds: DataSource, n: number): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  const mapping = defaultMapping();
  await ds.query(`DELETE FROM reconciliation_run`);
  const [{ id: runId }] = (await ds.query(
    `INSERT INTO reconciliation_run (status, trigger, options) VALUES ('running', 'cli', '{}') RETURNING id`,
  )) as { id: string }[];
  const ctx: CompareContext = { runId, mapping, messages: reconcileMessages('ru') };
  // One connection for everything, so the backend's VmHWM is the whole compare's peak.
  const qr = ds.createQueryRunner();
  await qr.connect();
  const db = qr.manager;
  try {
    await resetStage(db);
    const t0 = performance.now();
    const ref = (g: string) => `md5('cp' || ${g})::uuid::text`;
    await db.query(
      `INSERT INTO ${stage('onec_counterparty')}
       SELECT ${ref('g')}, g % 997 = 0, 'ООО «Компания ' || g || '»', 'Общество с ограниченной ответственностью «Компания ' || g || '»',
              lpad((7700000000 + g)::text, 10, '0'), '770101001', lpad((1027700000000 + g)::text, 13, '0'),
              '+7495' || lpad((g % 10000000)::text, 7, '0'), 'info' || g || '@example.ru'
       FROM generate_series(1, $1) g`,
      [n],
    );
    await db.query(
      `INSERT INTO ${stage('crm_company')}
       SELECT (g + 10)::text, 'sverka-1c', ${ref('g')},
              CASE WHEN g % 1000 = 0 THEN 'ООО «Компания ' || g || '» (ред.)' ELSE 'ООО «Компания ' || g || '»' END,
              '+7495' || lpad((g % 10000000)::text, 7, '0'), 'info' || g || '@example.ru'
       FROM generate_series(1, $1) g WHERE g % 1000 <> 1`,
      [n],
    );
    await db.query(
      `INSERT INTO ${stage('crm_requisite')}
       SELECT g::text, (g + 10)::text, ${ref('g')},
              CASE WHEN g % 2000 = 0 THEN '7700000001' ELSE lpad((7700000000 + g)::text, 10, '0') END, '770101001',
              'Общество с ограниченной ответственностью «Компания ' || g || '»', lpad((1027700000000 + g)::text, 13, '0')
       FROM generate_series(1, $1) g WHERE g % 1000 <> 1`,
      [n],
    );
    await db.query(
      `INSERT INTO ${stage('link')} SELECT 'counterparties', ${ref('g')}, (g + 10)::text FROM generate_series(1, $1) g WHERE g % 1000 <> 1`,
      [n],
    );
    const loadMs = performance.now() - t0;
    out.push({
      name: `staging load, ${n} + ${n} rows (+ requisites, links)`,
      value: Math.round(loadMs / 100) / 10,
      unit: 's',
      note: 'generate_series straight into UNLOGGED staging',
    });
    const t1 = performance.now();
    await indexStage(db);
    const idxMs = performance.now() - t1;
    const counts = await countEntity(db, ctx, 'counterparties');
    await compareCounts(db, ctx, 'counterparties', counts);
    await compareMissing(db, ctx, 'counterparties');
    await compareOrphans(db, ctx, 'counterparties');
    await compareFields(db, ctx, 'counterparties');
    const cmpMs = performance.now() - t1;
    const found = (await db.query(
      `SELECT kind, count(*)::int AS n FROM discrepancy WHERE run_id = $1 GROUP BY 1 ORDER BY 1`,
      [runId],
    )) as { kind: string; n: number }[];
    out.push({
      name: `compare ${n} counterparties vs ${n} companies (index + counts + missing + orphans + fields)`,
      value: Math.round(cmpMs / 100) / 10,
      unit: 's',
      note: `goal ≤ 60 s; index build ${Math.round(idxMs / 100) / 10} s; found ${found.map((f) => `${f.kind} ${f.n}`).join(', ')}`,
    });
    const hwm = await backendHwm(db);
    out.push({
      name: 'PostgreSQL backend peak RSS (VmHWM) during the compare',
      value: hwm ?? 'n/a',
      unit: 'MiB',
      note: 'includes touched shared buffers',
    });
  } finally {
    await qr.release();
  }
  return out;
}

async function endToEnd(ds: DataSource, url: string, m: number): Promise<BenchRow[]> {
  const mapping = defaultMapping();
  const t0 = performance.now();
  const dataset = generateDataset({
    seed: 42,
    counterparties: m,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 2,
  });
  const sims = await startSimulators({ dataset, clone: false });
  try {
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
      },
      { mode: 'embedded' },
    );
    const onec = createOneCPort(settings, mapping);
    const crm = await SeededCrm.synced(dataset, onec, mapping);
    const prepMs = performance.now() - t0;
    await ds.query(`DELETE FROM reconciliation_run`);
    const runner = new ReconcileRunnerService(
      ds,
      settings,
      mapping,
      onec,
      crm,
      undefined,
      undefined,
      undefined,
    );
    const t1 = performance.now();
    const r = await runner.runNow({
      trigger: 'cli',
      entities: ['counterparties', 'contacts', 'deals', 'debts'],
      sampleSize: 0,
    });
    const ms = performance.now() - t1;
    const crmRecords =
      crm.companies.size + crm.requisites.size + crm.contacts.size + crm.deals.size + crm.invoices.size;
    // Bitrix24: 50 records per list call, 50 calls per batch request; 2 requests/s sustained.
    const crmRequests = Math.ceil(Math.ceil(crmRecords / 50) / 50);
    const floorS = crmRequests / 2;
    return [
      {
        name: `end-to-end run, ${m} counterparties (1C over HTTP, CRM seeded)`,
        value: Math.round(ms / 100) / 10,
        unit: 's',
        note: `status ${r.status}; data set + seeding ${Math.round(prepMs / 1000)} s; ${JSON.stringify(r.summary?.discrepancies)}`,
      },
      {
        name: `CRM API floor for the same snapshot at 2 rps (${crmRecords} records → ${crmRequests} batch requests)`,
        value: floorS,
        unit: 's',
        note: `run time = ${(ms / 1000 / floorS).toFixed(2)} × floor (Bitrix24 simulator not in the tree yet: CRM side read in memory)`,
      },
    ];
  } finally {
    await sims.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).then(
    (r) => {
      for (const x of r)
        process.stdout.write(`${x.name}: ${x.value} ${x.unit}${x.note ? `  (${x.note})` : ''}\n`);
    },
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
