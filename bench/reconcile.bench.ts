import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { parseSettings } from '../src/config/settings.js';
import { createDataSource } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { simMapping } from '../sim/mapping.js';
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
import { generateDataset, type Dataset } from '../sim/dataset/index.js';
import type { Bitrix24Simulator } from '../sim/bitrix24/index.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { dealTitle, transformList } from '../src/mapping/transform-values.js';
import type { OneCPort } from '../src/onec/onec.port.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../src/onec/onec.types.js';
import { startSimulators } from '../sim/start-simulators.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

/**
 * Reconciliation at scale.
 * 1. SQL compare: N 1C counterparties against N CRM companies (+ requisites + links) generated
 *    straight into the staging tables with generate_series (planted: 0.1 % title edits, 0.05 % INN
 *    edits, 0.1 % unlinked, 0.05 % orphans); then index + counts + missing + orphans + fields, timed.
 *    Peak RSS of this node process and of the PostgreSQL backend that ran the SQL (VmHWM).
 * 2. End to end over the fake 1C and the fake Bitrix24 portal (both real HTTP, the portal limited to the
 *    default 2 rps / burst 50, filled in-process as a sync would leave it) for M counterparties: wall
 *    time, and the CRM API floor of that run ((requests − burst) ÷ rps) with the multiple; full CRM reads
 *    go 50 list calls to a `batch` request (by id ranges), so requests ≪ method calls.
 * Args: `--rows=N` (default 1000000), `--e2e=M` (default 2000; 0 skips), `--rps=R --burst=B` (portal
 * limits for the end-to-end run; default the settings' 2 / 50).
 * DB: BENCH_DATABASE_URL, else an embedded PostgreSQL in a temp dir.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args, 'BENCH_RECONCILE');
  const n = arg('rows', 1_000_000);
  const m = arg('e2e', 2_000);
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
    if (m > 0)
      rows.push(...(await endToEnd(ds, url, m, arg('rps', 0) || undefined, arg('burst', 0) || undefined)));
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
  const mapping = simMapping();
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
              '+7495' || lpad((g % 10000000)::text, 7, '0'), 'info' || g || '@example.ru',
              CASE WHEN g % 2000 = 0 THEN '7700000001' ELSE lpad((7700000000 + g)::text, 10, '0') END, '770101001',
              'Общество с ограниченной ответственностью «Компания ' || g || '»', lpad((1027700000000 + g)::text, 13, '0'), true
       FROM generate_series(1, $1) g WHERE g % 1000 <> 1`,
      [n],
    );
    await db.query(
      `INSERT INTO ${stage('link')} SELECT 'counterparties', ${ref('g')}, (g + 10)::text FROM generate_series(1, $1) g WHERE g % 1000 <> 1`,
      [n],
    );
    const loadMs = performance.now() - t0;
    out.push({
      name: `staging load, ${n} + ${n} rows (+ links)`,
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

/** Fills the fake portal in-process as a sync of the 1C records would have left it (fast: no HTTP). */
async function fillPortal(
  sim: Bitrix24Simulator,
  onec: OneCPort,
  dataset: Dataset,
  ds: DataSource,
): Promise<number> {
  const links: [string, string, string][] = [];
  const mapping = simMapping();
  const o = mapping.source;
  const fm = (phones: string[], emails: string[]) => [
    ...transformList(phones, ['phone_e164']).values.map((value) => ({
      typeId: 'PHONE',
      valueType: 'WORK',
      value,
    })),
    ...transformList(emails, ['email_lower']).values.map((value) => ({
      typeId: 'EMAIL',
      valueType: 'WORK',
      value,
    })),
  ];
  const companies = new Map<string, number>();
  let n = 0;
  for await (const page of onec.readAll({ entity: 'counterparties' }))
    for (const c of page.records as OneCCounterparty[]) {
      if (c.deletionMark) continue;
      const item = sim.state.add('companies', {
        title: c.name.trim(),
        originatorId: o,
        originId: c.ref,
        fm: fm(c.phones, c.emails),
      });
      companies.set(c.ref, item.id);
      links.push(['counterparties', c.ref, String(item.id)]);
      const ogrn = c.regNumber.trim();
      sim.state.addRequisite({
        ENTITY_TYPE_ID: 4,
        ENTITY_ID: item.id,
        PRESET_ID: c.kind === 'legal' ? '1' : ogrn.length === 15 ? '3' : '5',
        NAME: 'Реквизит',
        XML_ID: c.ref,
        RQ_INN: c.inn.trim(),
        RQ_KPP: c.kpp.trim(),
        RQ_COMPANY_NAME: c.name.trim(),
        RQ_COMPANY_FULL_NAME: c.fullName.trim(),
        ...(ogrn.length === 15 ? { RQ_OGRNIP: ogrn } : { RQ_OGRN: ogrn }),
      });
      n += 2;
    }
  for await (const page of onec.readAll({ entity: 'contacts' }))
    for (const c of page.records as OneCContact[]) {
      // As sync: only under a synced counterparty.
      if (c.deletionMark || !c.ownerRef || !companies.has(c.ownerRef)) continue;
      const item = sim.state.add('contacts', {
        lastName: c.lastName.trim(),
        name: c.firstName.trim(),
        secondName: c.middleName.trim(),
        companyId: companies.get(c.ownerRef),
        originatorId: o,
        originId: c.ref,
        fm: fm(c.phones, c.emails),
      });
      links.push(['contacts', c.ref, String(item.id)]);
      n++;
    }
  for await (const page of onec.readAll({ entity: 'deals' }))
    for (const d of page.records as OneCOrder[]) {
      // As sync: posted, of a synced counterparty, with a mapped status.
      const stageId = mapping.deals.statusMap[d.status];
      if (d.deletionMark || !d.posted || !stageId || !d.counterpartyRef || !companies.has(d.counterpartyRef))
        continue;
      const item = sim.state.add('deals', {
        title: dealTitle(d.number, d.date),
        categoryId: 0,
        stageId,
        opportunity: Number(d.amount),
        currencyId: 'RUB',
        companyId: companies.get(d.counterpartyRef),
        originatorId: o,
        originId: d.ref,
      });
      links.push(['deals', d.ref, String(item.id)]);
      n++;
    }
  n += sim.state.addInvoices(dataset.invoicesFor(companies) as unknown as Record<string, unknown>[]).length;
  // Sync's link table, as sync would have written it.
  await ds.query(`DELETE FROM entity_link`);
  for (let i = 0; i < links.length; i += 10_000) {
    const chunk = links.slice(i, i + 10_000);
    await ds.query(
      `INSERT INTO entity_link (entity, onec_ref, crm_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [chunk.map((l) => l[0]), chunk.map((l) => l[1]), chunk.map((l) => l[2])],
    );
  }
  return n;
}

async function endToEnd(
  ds: DataSource,
  url: string,
  m: number,
  rpsArg?: number,
  burstArg?: number,
): Promise<BenchRow[]> {
  const mapping = simMapping();
  const t0 = performance.now();
  const dataset = generateDataset({
    seed: 42,
    counterparties: m,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 2,
    lean: m > 50_000,
  });
  const sims = await startSimulators({ dataset, clone: false });
  try {
    if (!sims.bitrix24) throw new Error('the Bitrix24 simulator is not available');
    const sim = sims.bitrix24.sim as Bitrix24Simulator;
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      },
      { mode: 'embedded' },
    );
    const onec = createOneCPort(settings, mapping);
    sim.setLimits(false);
    const crmRecords = await fillPortal(sim, onec, dataset, ds);
    const prepMs = performance.now() - t0;
    // The portal's and the adapter's leaky bucket at the defaults: 2 requests/s, burst 50.
    const rps = rpsArg ?? settings.BITRIX24_RPS;
    const burst = burstArg ?? settings.BITRIX24_BURST;
    sim.setLimits({ rps, burst });
    sim.clearCalls();
    const crm = new Bitrix24Adapter({ webhookUrl: sims.bitrix24.webhookUrl, rps, burst });
    await ds.query(`DELETE FROM reconciliation_run`);
    const runner = new ReconcileRunnerService(ds, settings, mapping, onec, crm);
    const t1 = performance.now();
    const r = await runner.runNow({ trigger: 'cli', sampleSize: 0 });
    const s = (performance.now() - t1) / 1000;
    const requests = sim.calls.length;
    const floor = Math.max(0, requests - burst) / rps;
    const commands = sim.calls.reduce((n, c) => n + (c.commands?.length ?? 1), 0);
    const byMethod = new Map<string, number>();
    for (const c of sim.calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
    const methods = [...byMethod].map(([k, v]) => `${k} ${v}`).join(', ');
    return [
      {
        name: `end-to-end run, ${m} counterparties (fake 1C + fake Bitrix24 over HTTP, ${rps} rps / burst ${burst})`,
        value: Math.round(s * 10) / 10,
        unit: 's',
        note: `status ${r.status}; ${crmRecords} CRM records; setup ${Math.round(prepMs / 1000)} s; ${JSON.stringify(r.summary?.discrepancies)}`,
      },
      {
        name: 'CRM API floor of that run ((requests − burst) ÷ rps)',
        value: Math.round(floor * 10) / 10,
        unit: 's',
        note: `${requests} HTTP requests to the portal (${methods}) carrying ${commands} method calls; ${floor > 0 ? `run time = ${(s / floor).toFixed(2)} × floor` : 'all within the first burst'}`,
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
