import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { DASHBOARDS } from '../../dashboards/dashboards.js';
import { freePort } from '../../src/database/free-port.js';
import { parseSettings } from '../../src/config/settings.js';
import { simMapping } from '../../sim/mapping.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { applyDrift, generateDataset, planDrift } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { prometheusInstalled, queriesWithoutData } from '../integration/prometheus-support.js';
import { ensureBuilt } from '../support/built.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(240_000);

/**
 * The demo flow as a test: the real service (`node dist/src/main.js`, as `npm start` runs it) as a child
 * process against both simulators over HTTP and a real PostgreSQL; an API key from the real CLI; sync and
 * reconciliation triggered and read through REST; the report received by a real SMTP server; /metrics
 * scraped — every number compared with the generator's ground truth.
 */
describe('whole system: sync → drift → reconciliation → report → metrics', () => {
  const mapping = simMapping();
  const dataset = generateDataset({
    seed: 77,
    counterparties: 150,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1.5,
  });
  const drift = planDrift(dataset, 78, { perKind: 3 });
  let root: string;
  let db: TestDatabase;
  let sims: RunningSimulators;
  let smtp: SMTPServer;
  const mails: Buffer[] = [];
  let service: ChildProcess;
  let base: string;
  let key: string;
  let log = '';
  let onec: OneCPort;

  const api = async (method: string, path: string, body?: unknown, accept = 'application/json') => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${key}`,
        Accept: accept,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, text, json: () => JSON.parse(text) };
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a run body read field by field below
  async function finished(path: string): Promise<Record<string, any>> {
    const end = Date.now() + 180_000;
    for (;;) {
      const r = (await api('GET', path)).json();
      if (!['queued', 'running'].includes(r.status)) return r;
      if (Date.now() > end) throw new Error(`run ${path} did not finish: ${JSON.stringify(r)}\n${log}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  }

  beforeAll(async () => {
    root = ensureBuilt();
    db = await createTestDatabase('whole');
    sims = await startSimulators({ dataset, bitrixLimits: { rps: 50, burst: 50 } });
    onec = createOneCPort(
      parseSettings({ LOG_LEVEL: 'silent', DATABASE_URL: db.url, ...simulatorEnv(sims) }, { mode: 'embedded' }),
      mapping,
    );
    const smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, _s, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    await new Promise<void>((res) => smtp.listen(smtpPort, '127.0.0.1', res));

    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      ONEC_ODATA_URL: sims.onec.url,
      ONEC_USER: sims.onec.user,
      ONEC_PASSWORD: sims.onec.password,
      BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      BITRIX24_RPS: '50',
      BITRIX24_BURST: '50',
      SCHEDULER_ENABLED: 'false',
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_ALLOW_INSECURE: 'true',
      REPORT_FROM: 'sverka@example.test',
      REPORT_TO: 'quality.lead@example.test',
      REPORT_LOCALE: 'ru',
      LOG_LEVEL: 'warn',
    };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
      cwd: '/tmp',
      env: { ...env, PORT: String(port), PUBLIC_URL: base },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    service.stdout!.on('data', (d) => (log += d));
    service.stderr!.on('data', (d) => (log += d));
    const end = Date.now() + 60_000;
    while (!log.includes('listening on')) {
      if (Date.now() > end || service.exitCode !== null) throw new Error(`service did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The real CLI against the same database (migrations were run by the service).
    const cli = spawnSync(
      process.execPath,
      [join(root, 'dist/src/cli/apikey.js'), 'create', '--name', 'e2e', '--role', 'operator'],
      {
        cwd: '/tmp',
        env,
        encoding: 'utf8',
      },
    );
    expect(cli.status).toBe(0);
    key = cli.stdout.trim();
    expect(key).toMatch(/^svk_/);
  });

  afterAll(async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((res) => service.on('exit', res));
      service.kill('SIGTERM');
      await exited;
    }
    await sims?.close();
    await new Promise<void>((res) => (smtp ? smtp.close(() => res()) : res()));
    await db?.drop();
  });

  it('syncs every live 1C record once, reconciles to the ground truth, mails the report and exports the metrics', async () => {
    // --- sync over REST: the portal answers a few 503s first, as a busy portal does, and a quarter of
    // the write batches are committed by the portal but their answers lost ---
    sims.bitrix24.sim.setFaults({ forceQueryLimit: 2, lostResponseEvery: 4 });
    const started = await api('POST', '/api/v1/sync/runs', {});
    expect(started.status).toBe(202);
    const sync = await finished(`/api/v1/sync/runs/${started.json().id}`);
    sims.bitrix24.sim.setFaults({});
    expect(sync.status).toBe('succeeded');
    const writeBatches = sims.bitrix24.sim.calls.filter(
      (c) => c.method === 'batch' && c.commands?.some((x) => /\.(add|update)$/.test(x.method)),
    );
    expect(writeBatches.filter((c) => c.lost).length).toBe(Math.floor(writeBatches.length / 4));
    const truth = dataset.truth;
    expect(sync.stats.counterparties.created).toBe(truth.counts.counterparties.live);
    // No duplicate, nothing missing, every field as 1C has it — lost answers included.
    expect(await checkCrmAgainst1C(onec, sims.bitrix24.sim)).toEqual({
      duplicates: [],
      missing: [],
      wrong: [],
    });

    // --- the CRM side moves: invoices for linked companies, then managers' drift ---
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const links = (await c.query(`SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties'`))
      .rows;
    await c.end();
    sims.bitrix24.sim.state.addInvoices(
      dataset.invoicesFor(
        new Map(links.map((l: { onec_ref: string; crm_id: string }) => [l.onec_ref, l.crm_id])),
      ) as unknown as Record<string, unknown>[],
    );
    const applied = await applyDrift(drift, sims.bitrix24.sim.driftTarget(mapping.source));
    expect(applied.skipped).toEqual([]);

    // --- reconciliation over REST, with dedupe and the report ---
    const trig = await api('POST', '/api/v1/reconciliations', { dedupe: true, report: true, sampleSize: 20 });
    expect(trig.status).toBe(202);
    const second = await api('POST', '/api/v1/reconciliations', {});
    expect([202, 409]).toContain(second.status); // 409 while the first is active; 202 if it already finished
    const run = await finished(`/api/v1/reconciliations/${trig.json().id}`);
    expect(run.status).toBe('succeeded');
    const s = run.summary;
    expect(s.counts.counterparties).toMatchObject({ onec: truth.counts.counterparties.live });
    expect(s.debts.onecTotal).toBe(truth.debts.onecTotal);
    const e = drift.expect;
    const expected = {
      field_mismatch: e.fieldMismatches.length,
      missing_in_crm: e.missingInCrm.length,
      status_mismatch: e.statusMismatches.length,
      debt_mismatch:
        truth.debts.mismatches.filter((m) => !m.withinTolerance).length + e.debtMismatches.length,
      invalid_value: truth.invalid.length,
    };
    for (const [kind, n] of Object.entries(expected))
      expect([kind, s.discrepancies[kind] ?? 0]).toEqual([kind, n]);

    // --- items, duplicates and the report through REST ---
    const fm = (
      await api('GET', `/api/v1/reconciliations/${run.id}/discrepancies?kind=field_mismatch&limit=1000`)
    ).json();
    expect(fm.total).toBe(expected.field_mismatch);
    expect(fm.items.map((d: { onecRef: string; field: string }) => `${d.onecRef}|${d.field}`).sort()).toEqual(
      e.fieldMismatches.map((f) => `${f.ref}|${f.field}`).sort(),
    );
    const dups = (
      await api('GET', `/api/v1/reconciliations/${run.id}/duplicates?scope=cross&limit=1000`)
    ).json();
    expect(dups.total).toBe(s.duplicates.cross);
    const csv = await api('GET', `/api/v1/reconciliations/${run.id}/report`, undefined, 'text/csv');
    expect(csv.status).toBe(200);
    const html = await api('GET', `/api/v1/reconciliations/${run.id}/report`, undefined, 'text/html');
    expect(html.text).toContain('<table');

    // --- the e-mail, received by a real SMTP server ---
    const end = Date.now() + 30_000;
    while (mails.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(mails).toHaveLength(1);
    const mail = await simpleParser(mails[0]);
    const total = Object.values(s.discrepancies as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(mail.subject).toContain(`${total} расхожден`);
    expect(mail.text).toBeTruthy();
    expect(mail.html).toBeTruthy();
    expect(mail.attachments.map((a) => a.contentType)).toContain('text/csv');
    const raw = mails[0].toString('utf8');
    const emails = dataset.onec.counterparties
      .flatMap((r) =>
        ((r as { КонтактнаяИнформация?: { АдресЭП?: string }[] }).КонтактнаяИнформация ?? []).map(
          (ci) => ci.АдресЭП,
        ),
      )
      .filter((v): v is string => !!v);
    expect(emails.length).toBeGreaterThan(0);
    for (const p of emails.slice(0, 50)) {
      expect(raw).not.toContain(p);
    }
    expect(raw).not.toContain(sims.onec.password);

    // --- /metrics, scraped ---
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const value = (line: string) =>
      Number(new RegExp(`^${line.replace(/[{}"=]/g, (ch) => `\\${ch}`)} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('sverka_reconcile_records{entity="counterparties",system="onec"}')).toBe(
      truth.counts.counterparties.live,
    );
    expect(value('sverka_reconcile_discrepancies{entity="counterparties",kind="missing_in_crm"}')).toBe(
      expected.missing_in_crm,
    );
    expect(value('sverka_sync_records_total{entity="counterparties",result="created"}')).toBe(
      truth.counts.counterparties.live,
    );
    expect(value('sverka_report_emails_total{outcome="sent"}')).toBe(1);
    expect(value('sverka_open_debt_rub{system="onec"}')).toBeCloseTo(Number(truth.debts.onecTotal), 2);
    expect(metrics).not.toContain(sims.onec.password);
  });

  (prometheusInstalled ? it : it.skip)(
    'a real Prometheus scraping this service answers every dashboard query with data',
    async () => {
      const { empty } = await queriesWithoutData(
        base,
        DASHBOARDS.map((d) => d.build()),
      );
      expect(empty.map((q) => `${q.where}: ${q.expr}`)).toEqual([]);
    },
  );
});
