import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { queriesOf, type DashboardQuery } from '../../dashboards/dashboard-queries.js';
import { freePort } from '../../src/database/free-port.js';

/** Debian's `prometheus` package (`.ci/install-prometheus.sh`). */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const prometheusInstalled = existsSync(PROMETHEUS_BIN);

/** The scrape job name; the dashboards' `$job` variable is set to it. */
export const SCRAPE_JOB = 'sverka';

export interface RunningPrometheus {
  url: string;
  /** Instant query through the HTTP API: the `data` of a successful answer. */
  query(expr: string): Promise<PromData>;
  queryRange(expr: string, seconds: number): Promise<PromData>;
  labelValues(label: string, match: string): Promise<string[]>;
  stop(): Promise<void>;
}

export interface PromData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

/**
 * Starts a real Prometheus on 127.0.0.1 (a free port, storage in a temp dir, scrape and evaluation
 * every second) that scrapes `<serviceUrl>/metrics` as job `sverka`, and waits for the first scrape.
 */
export async function startPrometheus(serviceUrl: string): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'sverka-prometheus-'));
  const port = await freePort();
  const target = new URL(serviceUrl);
  await writeFile(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${SCRAPE_JOB}`,
      '    metrics_path: /metrics',
      `    scheme: ${target.protocol.replace(':', '')}`,
      '    static_configs:',
      `      - targets: ['${target.host}']`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const api = async (path: string): Promise<PromData> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: PromData; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  const running: RunningPrometheus = {
    url,
    query: (expr) => api(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    queryRange: (expr, seconds) => {
      const end = Date.now() / 1000;
      return api(
        `/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end}&step=1`,
      );
    },
    labelValues: async (label, match) =>
      // The label API answers `data: ["value", …]`.
      (await api(
        `/api/v1/label/${encodeURIComponent(label)}/values?match[]=${encodeURIComponent(match)}`,
      )) as unknown as string[],
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
      const up = (await running.query(`up{job="${SCRAPE_JOB}"}`).catch(() => null))?.result as
        PromVector | undefined;
      return up?.[0]?.value[1] === '1';
    }, 30_000);
  } catch (e) {
    await running.stop();
    throw e;
  }
  return running;
}

type PromVector = { metric: Record<string, string>; value: [number, string] }[];

/** The dashboards' template variables as the integration test sets them. */
export const TEST_VARIABLES: Record<string, string> = {
  job: SCRAPE_JOB,
  entity: 'counterparties',
  datasource: 'prometheus',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/** Replaces Grafana's `$name` and `${name}` (longest names first, so `$__rate_interval` is not `$__range`…). */
export function substituteVariables(expr: string, vars: Record<string, string> = TEST_VARIABLES): string {
  let out = expr;
  for (const name of Object.keys(vars).sort((a, b) => b.length - a.length)) {
    out = out.split(`\${${name}}`).join(vars[name]).split(`$${name}`).join(vars[name]);
  }
  if (/\$\w/.test(out)) throw new Error(`unsubstituted variable in ${out}`);
  return out;
}

/** What one dashboard query answered, for assertions and failure messages. */
export interface QueryOutcome {
  where: string;
  expr: string;
  series: number;
  /** The instant values, `label=value,… → value` (variables: the label values). */
  values: string[];
}

/**
 * The hook for checking the dashboards against any running service: Prometheus scrapes
 * `<serviceUrl>/metrics`, then every panel query of `dashboards` is run through the HTTP API (instant,
 * and also as a range for time-series queries) and every variable query through the label API.
 * Returns the queries that answered no series (empty = every query returns data).
 */
export async function queriesWithoutData(
  serviceUrl: string,
  dashboards: Dashboard[],
  opts: { settleMs?: number; during?: () => void } = {},
): Promise<{ empty: QueryOutcome[]; answered: QueryOutcome[] }> {
  const prom = await startPrometheus(serviceUrl);
  try {
    // A few scrapes, so rate() and increase() have at least two samples; `during` may move counters.
    const until = Date.now() + (opts.settleMs ?? 4000);
    while (Date.now() < until) {
      opts.during?.();
      await sleep(500);
    }
    const empty: QueryOutcome[] = [];
    const answered: QueryOutcome[] = [];
    for (const q of dashboards.flatMap((d) => queriesOf(d))) {
      const outcome = await runQuery(prom, q);
      (outcome.series > 0 ? answered : empty).push(outcome);
    }
    return { empty, answered };
  } finally {
    await prom.stop();
  }
}

async function runQuery(prom: RunningPrometheus, q: DashboardQuery): Promise<QueryOutcome> {
  const expr = substituteVariables(q.expr);
  if (q.variable) {
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(expr.trim());
    if (!m) throw new Error(`${q.where}: unsupported variable query ${expr}`);
    const values = await prom.labelValues(m[2], m[1]);
    return { where: q.where, expr, series: values.length, values };
  }
  const instant = await prom.query(expr);
  let series = countSeries(instant);
  if (!q.instant && series > 0) series = Math.min(series, countSeries(await prom.queryRange(expr, 30)));
  return { where: q.where, expr, series, values: describeValues(instant) };
}

function describeValues(d: PromData): string[] {
  if (d.resultType === 'scalar' || d.resultType === 'string')
    return [String((d.result as [number, string])[1])];
  return (d.result as PromVector).map((r) => {
    const labels = Object.entries(r.metric)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join(',');
    return `${labels} → ${r.value[1]}`;
  });
}

function countSeries(d: PromData): number {
  if (d.resultType === 'scalar' || d.resultType === 'string') return 1;
  return (d.result as unknown[]).length;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
