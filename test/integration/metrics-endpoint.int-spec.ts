import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROMTOOL = '/usr/bin/promtool';
const hasPromtool = existsSync(PROMTOOL);
if (!hasPromtool) {
  console.warn(
    `promtool not installed (${PROMTOOL}): the "promtool check metrics" test is skipped. Install: .ci/install-prometheus.sh`,
  );
}

/** `promtool check metrics` on a text exposition: exit code and its complaints. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('GET /metrics on the real application', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is public, outside /api/v1, in the Prometheus text format, with every Sverka metric family', async () => {
    const metrics = t.app.get(SverkaMetrics);
    metrics.syncRecords.inc({ entity: 'counterparties', result: 'created' }, 3);
    metrics.crmRequests.inc({ method: 'crm.company.add', outcome: 'ok' });

    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await res.text();
    expect(body).toContain('sverka_sync_records_total{entity="counterparties",result="created"} 3');
    expect(body).toContain('sverka_crm_requests_total{method="crm.company.add",outcome="ok"} 1');
    expect(body).toContain('# TYPE sverka_sync_run_duration_seconds histogram');
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(body).not.toMatch(/nodejs_active_(handles|requests|resources)_total/);
    // The restore ran at bootstrap against the migrated database: the sync gauges exist (0 dead letters).
    expect(body).toContain('sverka_sync_dead_letters{entity="counterparties"} 0');

    expect((await fetch(`${t.url}/api/v1/metrics`)).status).toBe(404);
  });

  (hasPromtool ? it : it.skip)('passes `promtool check metrics`', async () => {
    const metrics = t.app.get(SverkaMetrics);
    metrics.syncRunDuration.observe({ entity: 'contacts' }, 12.5);
    metrics.reconcileDiscrepancies.set({ entity: 'counterparties', kind: 'field_mismatch' }, 4);
    metrics.reconcileLastSuccess.set(Date.now() / 1000);
    const body = await (await fetch(`${t.url}/metrics`)).text();
    const { status, output } = promtoolCheck(body);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  (hasPromtool ? it : it.skip)('promtool does reject what it should (the check is real)', () => {
    const { status } = promtoolCheck('# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n');
    expect(status).not.toBe(0);
  });
});
