import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Logger, type INestApplication } from '@nestjs/common';
import pg from 'pg';
import { createApp } from '../src/bootstrap.js';
import { parseSettings } from '../src/config/settings.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { createDataSource } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { createOneCFeedPort, createOneCPort } from '../src/onec/onec.module.js';
import { FeedPullService } from '../src/sync/feed-pull.service.js';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import type { SyncScheduler } from '../src/sync/sync.scheduler.js';
import { generateDataset } from '../sim/dataset/index.js';
import { simMapping } from '../sim/mapping.js';
import type { ODataRow } from '../sim/onec/index.js';
import { startSimulators } from '../sim/start-simulators.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

const SECRET = 'a-bench-doorbell-secret-of-32-chars';

/**
 * The 1C change feed end to end: the fake 1C with its change feed and doorbell, the fake portal, an
 * embedded PostgreSQL.
 *
 * 1. Bytes: a first sync of `--counterparties` (20000) counterparties + `--orders` (2) orders each at the
 *    portal's `--rps` (50, as bench/sync.bench.ts), then 1 % of the records changed in 1C and one feed pull:
 *    the 1C bytes and CRM requests of the pull as a fraction of the full run (goal ≤ 0.02); the same for a
 *    version-scan run after another 1 % (what the feed replaces).
 * 2. Latency: the service in-process on real HTTP with the feed on (the doorbell over HTTP, no poll), the
 *    portal's default bucket (2 requests/s, burst 50 — portal and adapter alike), `--latency-counterparties`
 *    (1000) counterparties: `--changes` (240) renames in 1C at `--rate` (2) a second, each timed from the 1C
 *    write to the moment the fake portal's company carries the new title (p50/p95/max, goal p95 ≤ 10 s);
 *    then 200 renames at once.
 * DB: BENCH_DATABASE_URL (a server where it may create databases), else an embedded PostgreSQL in a temp dir.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args, 'BENCH_FEED');
  const rows: BenchRow[] = [];
  let stopDb: (() => Promise<void>) | null = null;
  let dir: string | null = null;
  let adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    dir = mkdtempSync(join(tmpdir(), 'sverka-bench-pg-'));
    const emb = await startEmbeddedPostgres({ dir, persistent: false });
    stopDb = emb.stop;
    adminUrl = emb.adminUrl;
  }
  const database = async (name: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(adminUrl!);
    u.pathname = `/${name}`;
    return u.toString();
  };
  Logger.overrideLogger(['error']);
  try {
    rows.push(
      ...(await bytes(await database('bench_feed_bytes'), {
        n: arg('counterparties', 20_000),
        ordersPer: arg('orders', 2),
        rps: arg('rps', 50),
      })),
    );
    rows.push(
      ...(await latency(await database('bench_feed_latency'), {
        n: arg('latency-counterparties', 1000),
        changes: arg('changes', 240),
        rate: arg('rate', 2),
      })),
    );
  } finally {
    if (stopDb) await stopDb();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Settings for the runner and the pull against running simulators. */
function simSettings(
  url: string,
  sims: Awaited<ReturnType<typeof startSimulators>> & { crm: 'bitrix24' },
  extra: Record<string, string> = {},
) {
  return parseSettings(
    {
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      ONEC_ODATA_URL: sims.onec.url,
      ONEC_USER: sims.onec.user,
      ONEC_PASSWORD: sims.onec.password,
      BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      ONEC_FEED_URL: sims.onec.feedUrl,
      ONEC_FEED_SECRET: SECRET,
      ...extra,
    },
    { mode: 'embedded' },
  );
}

async function bytes(url: string, o: { n: number; ordersPer: number; rps: number }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const ds = createDataSource(url, { poolSize: 4 });
  await ds.initialize();
  const dataset = generateDataset({
    seed: 77,
    counterparties: o.n,
    contactsPerCounterparty: 0,
    ordersPerCounterparty: o.ordersPer,
    onecDuplicateRate: 0,
    crmDuplicateRate: 0,
    crmNewRate: 0,
  });
  resetPortalLimiters();
  const sims = await startSimulators({ dataset, bitrixLimits: { rps: o.rps, burst: 50 } });
  try {
    await ds.runMigrations();
    const mapping = simMapping();
    const settings = simSettings(url, sims);
    const feed = createOneCFeedPort(settings, mapping);
    const crm = new Bitrix24Adapter({ webhookUrl: sims.bitrix24.webhookUrl, rps: o.rps, burst: 50 });
    const runner = new SyncRunnerService(
      ds,
      mapping,
      createOneCPort(settings, mapping),
      crm,
      null,
      null,
      null,
      feed,
    );
    const pull = new FeedPullService(settings, runner, feed, {
      scanWaiting: false,
    } as unknown as SyncScheduler);
    const b24 = sims.bitrix24.sim;
    const c1 = sims.onec.sim;
    const onecBytes = () => c1.calls.reduce((s, c) => s + c.bytes, 0);
    const t0 = Date.now();
    const first = await runner.runNow({ trigger: 'cli' });
    const fullBytes = onecBytes();
    const fullRequests = b24.calls.length;
    rows.push({
      name: `full run: ${o.n} counterparties + ${o.n * o.ordersPer} orders (status ${first.status})`,
      value: ((Date.now() - t0) / 1000).toFixed(1),
      unit: 's',
      note: `${(fullBytes / 2 ** 20).toFixed(1)} MiB from 1C, ${fullRequests} CRM requests at rps ${o.rps}`,
    });

    /** Changes 1 % of the counterparties and of the posted orders; returns how many. */
    const changeOnePercent = (mark: string) => {
      const cps = c1.rows('counterparties').filter((r) => !r.IsFolder && !r.DeletionMark);
      const orders = c1.rows('orders').filter((r) => r.Posted && !r.DeletionMark);
      let changed = 0;
      for (let i = 0; i < cps.length; i += 100, changed++)
        c1.update('counterparties', String(cps[i].Ref_Key), {
          Description: `${String(cps[i].Description)} ${mark}`,
        });
      for (let i = 0; i < orders.length; i += 100, changed++)
        c1.update('orders', String(orders[i].Ref_Key), {
          СуммаДокумента: Number(orders[i].СуммаДокумента) + 1,
        });
      return changed;
    };

    let changed = changeOnePercent('(лента)');
    b24.clearCalls();
    c1.clearCalls();
    const t1 = Date.now();
    let pulls = 0;
    for (;;) {
      pulls++;
      if (!(await pull.pull()).again) break;
    }
    const feedBytes = onecBytes();
    const protocolBytes = c1.calls
      .filter((c) => c.path.includes('/hs/sverka/'))
      .reduce((s, c) => s + c.bytes, 0);
    const pending = c1.feed.counters().pending;
    rows.push(
      {
        name: `feed pull, ${changed} records changed (1 %)`,
        value: ((Date.now() - t1) / 1000).toFixed(1),
        unit: 's',
        note: `${pulls} pull(s), ${pending} change(s) left in 1C`,
      },
      {
        name: 'feed pull: 1C bytes read as a fraction of the full run',
        value: (feedBytes / fullBytes).toFixed(4),
        unit: 'fraction',
        note: `${(feedBytes / 2 ** 20).toFixed(2)} MiB (feed protocol ${(protocolBytes / 1024).toFixed(0)} KiB, the rest the records by key) vs ${(fullBytes / 2 ** 20).toFixed(1)} MiB; goal ≤ 0.02`,
      },
      {
        name: 'feed pull: CRM requests as a fraction of the full run',
        value: (b24.calls.length / fullRequests).toFixed(4),
        unit: 'fraction',
        note: `${b24.calls.length} vs ${fullRequests}`,
      },
    );

    changed = changeOnePercent('(скан)');
    b24.clearCalls();
    c1.clearCalls();
    const t2 = Date.now();
    await runner.runNow({ trigger: 'cli' });
    rows.push({
      name: `version-scan run, ${changed} records changed (1 %), same data (what the feed replaces)`,
      value: (onecBytes() / fullBytes).toFixed(4),
      unit: "fraction of the full run's 1C bytes",
      note: `${((Date.now() - t2) / 1000).toFixed(1)} s, ${b24.calls.length} CRM requests`,
    });
  } finally {
    await sims.close();
    await ds.destroy();
  }
  return rows;
}

async function latency(url: string, o: { n: number; changes: number; rate: number }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dataset = generateDataset({
    seed: 78,
    counterparties: o.n,
    contactsPerCounterparty: 0,
    ordersPerCounterparty: 1,
    onecDuplicateRate: 0,
    crmDuplicateRate: 0,
    crmNewRate: 0,
  });
  resetPortalLimiters();
  const sims = await startSimulators({ dataset, bitrixLimits: false });
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  let app: INestApplication | null = null;
  try {
    await ds.runMigrations();
    const mapping = simMapping();
    // The first load as fast as the fake portal goes: only the feed's latency is measured here.
    const fast = new Bitrix24Adapter({ webhookUrl: sims.bitrix24.webhookUrl, rps: 1000, burst: 1000 });
    const first = await new SyncRunnerService(
      ds,
      mapping,
      createOneCPort(simSettings(url, sims), mapping),
      fast,
    ).runNow({
      trigger: 'cli',
    });
    await ds.destroy();
    // From here on the portal's default bucket, for the portal and the service's adapter alike.
    sims.bitrix24.sim.setLimits({ rps: 2, burst: 50 });
    const settings = simSettings(url, sims, {
      BITRIX24_RPS: '2',
      BITRIX24_BURST: '50',
      SCHEDULER_ENABLED: 'false',
      DB_MIGRATE: 'false',
    });
    app = await createApp({ settings, mapping, databaseUrl: url });
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;
    sims.onec.sim.setDoorbell({ url: `http://127.0.0.1:${port}/api/v1/events/onec`, secret: SECRET });

    const companyOf = new Map<string, string>();
    for (const c of sims.bitrix24.sim.state.list('companies'))
      if (c.originatorId === mapping.source) companyOf.set(String(c.originId), String(c.id));
    const cps = sims.onec.sim
      .rows('counterparties')
      .filter((r) => !r.IsFolder && !r.DeletionMark && companyOf.has(String(r.Ref_Key))) as ODataRow[];
    if (cps.length < o.changes + 200)
      throw new Error(`only ${cps.length} linked counterparties for ${o.changes} + 200 changes`);
    const b24 = sims.bitrix24.sim;
    b24.clearCalls();

    /** Renames `targets` (one at `at(i)` ms after the start) and times each until its company shows the new title. */
    const measure = async (targets: ODataRow[], at: (i: number) => number, label: string) => {
      const pending = new Map<string, { id: string; title: string; t0: number }>();
      const seen: number[] = [];
      const start = performance.now();
      const poll = setInterval(() => {
        const now = performance.now();
        for (const [ref, p] of pending)
          if (String(b24.state.get('companies', p.id)?.title ?? '') === p.title) {
            seen.push(now - p.t0);
            pending.delete(ref);
          }
      }, 20);
      try {
        for (let i = 0; i < targets.length; i++) {
          const wait = start + at(i) - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const r = targets[i];
          const ref = String(r.Ref_Key);
          const title = `${String(r.Description).trim()} ${label}${i}`;
          pending.set(ref, { id: companyOf.get(ref)!, title, t0: performance.now() });
          sims.onec.sim.update('counterparties', ref, { Description: title });
        }
        const end = performance.now() + 120_000;
        while (pending.size && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
      } finally {
        clearInterval(poll);
      }
      seen.sort((a, b) => a - b);
      const q = (p: number) =>
        (seen[Math.min(seen.length - 1, Math.ceil(p * seen.length) - 1)] / 1000).toFixed(2);
      return {
        seen,
        missing: pending.size,
        p50: q(0.5),
        p95: q(0.95),
        max: q(1),
        total: (performance.now() - start) / 1000,
      };
    };

    const stream = await measure(cps.slice(0, o.changes), (i) => (i * 1000) / o.rate, '#');
    const limited = b24.calls.filter((c) => c.status === 503).length;
    const requests = b24.calls.length;
    rows.push({
      name: `1C change → CRM, ${o.changes} renames at ${o.rate}/s, bucket 2 rps / 50 (first load ${first.status})`,
      value: stream.p95,
      unit: 's p95',
      note: `p50 ${stream.p50} s, max ${stream.max} s, ${stream.seen.length} seen, ${stream.missing} not seen; ${requests} CRM requests in ${stream.total.toFixed(0)} s, ${limited} answered 503; goal p95 ≤ 10 s`,
    });
    b24.clearCalls();
    const burst = await measure(cps.slice(o.changes, o.changes + 200), () => 0, '!');
    rows.push({
      name: '1C change → CRM, 200 renames at once, bucket 2 rps / 50',
      value: burst.p95,
      unit: 's p95',
      note: `p50 ${burst.p50} s, max ${burst.max} s, ${burst.missing} not seen; ${b24.calls.length} CRM requests, ${b24.calls.filter((c) => c.status === 503).length} answered 503`,
    });
  } finally {
    await app?.close();
    if (ds.isInitialized) await ds.destroy();
    await sims.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void run(process.argv.slice(2)).then((rows) => {
    for (const r of rows)
      process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  });
}
