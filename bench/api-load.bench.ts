import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import type autocannon from 'autocannon';
import { ApiKeyService } from '../src/auth/api-key.service.js';
import { createApp } from '../src/bootstrap.js';
import { parseSettings } from '../src/config/settings.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { freePort } from '../src/database/free-port.js';
import { simMapping } from '../sim/mapping.js';
import { ReconcileRunnerService } from '../src/reconcile/reconcile-runner.service.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

/**
 * API load (loopback only, bounded): 50 concurrent readers on the result endpoints (runs, latest, one run,
 * discrepancies with filters, duplicates, sync status) for a fixed time while a reconciliation with dedupe
 * runs in the same service process. Goal: zero errors, p99 under 200 ms.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args);
  const size = arg('counterparties', 2000);
  const seconds = arg('seconds', 20);
  const dir = mkdtempSync(join(tmpdir(), 'sverka-bench-api-'));
  const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), persistent: false });
  // The simulators run in their own process (as 1C and Bitrix24 would), so they do not share the
  // service's event loop.
  const sims = await startSimProcess(size);
  let app: INestApplication | undefined;
  try {
    const port = await freePort();
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        SCHEDULER_ENABLED: 'false',
        PORT: String(port),
        DATABASE_URL: pg.url,
        ONEC_ODATA_URL: sims.env.ONEC_ODATA_URL,
        ONEC_USER: sims.env.ONEC_USER,
        ONEC_PASSWORD: sims.env.ONEC_PASSWORD,
        BITRIX24_WEBHOOK_URL: sims.env.BITRIX24_WEBHOOK_URL,
        BITRIX24_RPS: '100',
        BITRIX24_BURST: '100',
        API_RATE_LIMIT: '1000000',
      },
      { mode: 'embedded' },
    );
    app = await createApp({ settings, mapping: simMapping(), databaseUrl: pg.url });
    await app.listen(port, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const { key } = await app.get(ApiKeyService).create('bench', 'viewer');
    await app.get(SyncRunnerService).runNow({ trigger: 'cli' });
    const runner = app.get(ReconcileRunnerService);
    const first = await runner.runNow({ trigger: 'cli', dedupe: true });

    const paths = [
      '/api/v1/reconciliations',
      '/api/v1/reconciliations/latest',
      `/api/v1/reconciliations/${first.id}`,
      `/api/v1/reconciliations/${first.id}/discrepancies?limit=100`,
      `/api/v1/reconciliations/${first.id}/discrepancies?kind=invalid_value&entity=counterparties&limit=50`,
      `/api/v1/reconciliations/${first.id}/duplicates?scope=cross&limit=50`,
      '/api/v1/sync/runs',
      '/api/v1/sync/status',
    ];
    const rows: BenchRow[] = [
      {
        name: 'set-up',
        value: size,
        unit: 'counterparties',
        note: `50 readers on ${paths.length} result endpoints, ${seconds} s per load, a reconciliation with dedupe running`,
      },
    ];
    // Two loads, each while a reconciliation (with dedupe) runs in the same service process:
    // paced — 50 readers polling at 5 requests/s each (250/s in all), the goal scenario;
    // saturating — 50 readers with no pause at all, to show the ceiling of one instance on 2 cores.
    // Warm-up (JIT, connection pools), not measured.
    await loadInWorker({
      url: base,
      connections: 50,
      duration: 5,
      headers: { authorization: `Bearer ${key}` },
      requests: paths.map((path) => ({ method: 'GET', path })),
    });
    for (const [label, rate] of [
      ['paced 250 req/s', 250],
      ['saturating', undefined],
    ] as const) {
      const reconciling = runner.runNow({ trigger: 'cli', dedupe: true, sampleSize: 100 });
      const result = await loadInWorker({
        url: base,
        connections: 50,
        duration: seconds,
        ...(rate ? { overallRate: rate } : {}),
        headers: { authorization: `Bearer ${key}` },
        requests: paths.map((path) => ({ method: 'GET', path })),
      });
      const during = await reconciling;
      const errors = result.errors + result.timeouts + result.non2xx;
      rows.push(
        {
          name: `${label}: requests`,
          value: result.requests.total,
          unit: 'requests',
          note: `${Math.round(result.requests.total / seconds)} req/s`,
        },
        {
          name: `${label}: errors (network, timeouts, non-2xx)`,
          value: errors,
          unit: 'requests',
          note: 'goal 0',
        },
        { name: `${label}: latency p50`, value: result.latency.p50, unit: 'ms' },
        { name: `${label}: latency p99`, value: result.latency.p99, unit: 'ms', note: 'goal < 200 ms' },
        { name: `${label}: latency max`, value: result.latency.max, unit: 'ms' },
        { name: `${label}: reconciliation under load`, value: during.status, unit: '' },
      );
    }
    return rows;
  } finally {
    await app?.close();
    await sims.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startSimProcess(
  size: number,
): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../sim/cli/sim.js', import.meta.url))], {
    env: {
      ...process.env,
      SIM_ONEC_PORT: '0',
      SIM_BITRIX24_PORT: '0',
      SIM_COUNTERPARTIES: String(size),
      SIM_SEED: '5',
      SIM_BITRIX24_RPS: '100',
      SIM_BITRIX24_BURST: '100',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('BITRIX24_WEBHOOK_URL=')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`simulators exited with ${code}`)));
  });
  const env = Object.fromEntries(
    out
      .split('\n')
      .filter((l) => /^[A-Z0-9_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()]),
  );
  return {
    env,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function loadInWorker(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./support/load-worker.js', import.meta.url), { workerData: opts });
    worker.once('message', (m: { ok: boolean; result?: autocannon.Result; error?: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).then(
    (rows) => {
      for (const r of rows)
        process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
