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
import { startCrmDriver, type CrmDriver } from '../factories/crm-driver.js';
import { crossAdoptable } from '../factories/sync-verify.js';
import { applyDrift, generateDataset, planDrift } from '../../sim/dataset/index.js';
import { prometheusInstalled, queriesWithoutData } from '../integration/prometheus-support.js';
import { ensureBuilt } from '../support/built.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(240_000);

const escapeHtml = (t: string) =>
  t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The demo flow as a test, once per CRM: the real service (`node dist/src/main.js`, as `npm start` runs
 * it) as a child process against the fake 1C and the fake CRM (Bitrix24, or amoCRM with CRM_KIND=amocrm)
 * over HTTP and a real PostgreSQL; an API key from the real CLI; sync and reconciliation triggered and
 * read through REST; the report received by a real SMTP server; /metrics scraped — every number compared
 * with the generator's ground truth. The assertions are the same on both CRMs except where amoCRM differs
 * by design (test/factories/crm-driver.ts): it has no invoices Sverka reads, so no invoice drift applies
 * and the debts check is skipped (the run is `partial`, never "all clear").
 */
describe.each(['bitrix24', 'amocrm'] as const)(
  'whole system on %s: sync → drift → reconciliation → report → metrics',
  (kind) => {
    const mapping = simMapping(kind);
    const dataset = generateDataset({
      seed: 77,
      counterparties: 150,
      contactsPerCounterparty: 1,
      ordersPerCounterparty: 1.5,
    });
    const drift = planDrift(dataset, 78, { perKind: 3 });
    let root: string;
    let db: TestDatabase;
    let crm: CrmDriver;
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
      crm = await startCrmDriver(kind, dataset);
      onec = createOneCPort(
        parseSettings({ LOG_LEVEL: 'silent', DATABASE_URL: db.url, ...crm.env }, { mode: 'embedded' }),
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
        ...crm.env,
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
      await crm?.close();
      await new Promise<void>((res) => (smtp ? smtp.close(() => res()) : res()));
      await db?.drop();
    });

    it('syncs every live 1C record once, reconciles to the ground truth, mails the report and exports the metrics', async () => {
      // --- sync over REST: the CRM refuses a few requests first, as a busy one does (Bitrix24: 503,
      // amoCRM: 429), and a quarter of the write requests are saved by the CRM but their answers lost ---
      crm.injectFaults();
      const started = await api('POST', '/api/v1/sync/runs', {});
      expect(started.status).toBe(202);
      const sync = await finished(`/api/v1/sync/runs/${started.json().id}`);
      crm.clearFaults();
      expect(sync.status).toBe('succeeded');
      const seen = crm.faultsSeen();
      expect(seen.writes).toBeGreaterThanOrEqual(4);
      expect(seen.lost).toBe(Math.floor(seen.writes / 4));
      expect(seen.refused).toBe(crm.refusals);
      const truth = dataset.truth;
      // Managers' companies with a counterparty's INN (the data set's cross duplicates) are adopted, not duplicated.
      const adopted = crossAdoptable(dataset);
      expect([
        sync.stats.counterparties.created,
        sync.stats.counterparties.linked,
        sync.stats.counterparties.held,
      ]).toEqual([truth.counts.counterparties.live - adopted, adopted, 0]);
      // No duplicate, nothing missing, every field as 1C has it — lost answers included.
      expect(await crm.check(onec)).toEqual({
        duplicates: [],
        missing: [],
        wrong: [],
      });

      // --- the CRM side moves: invoices for linked companies (a CRM that has them), then managers' drift ---
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const links = (
        await c.query(`SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties'`)
      ).rows;
      await c.end();
      expect(links).toHaveLength(truth.counts.counterparties.live);
      const hasInvoices = crm.invoices;
      if (hasInvoices)
        crm.addInvoices(
          dataset,
          new Map(links.map((l: { onec_ref: string; crm_id: string }) => [l.onec_ref, l.crm_id])),
        );
      const target = crm.driftTarget(mapping.source);
      const applied = await applyDrift(drift, target);
      // Every op applies, but invoice ops on a CRM without invoices.
      expect(applied.skipped).toEqual(crm.skippedDrift(drift));
      expect(applied.skipped.length > 0).toBe(!hasInvoices);

      // --- reconciliation over REST, with dedupe and the report ---
      const trig = await api('POST', '/api/v1/reconciliations', {
        dedupe: true,
        report: true,
        sampleSize: 20,
      });
      expect(trig.status).toBe(202);
      const second = await api('POST', '/api/v1/reconciliations', {});
      expect([202, 409]).toContain(second.status); // 409 while the first is active; 202 if it already finished
      const run = await finished(`/api/v1/reconciliations/${trig.json().id}`);
      // A check the CRM cannot serve is skipped with its reason, and the run says so: partial.
      expect([run.status, run.summary.skippedChecks]).toEqual(
        crm.skippedChecks.length ? ['partial', crm.skippedChecks] : ['succeeded', undefined],
      );
      const s = run.summary;
      expect(s.counts.counterparties).toMatchObject({ onec: truth.counts.counterparties.live });
      // Open debts are compared only where the CRM has invoices; without them there is no debts summary.
      if (hasInvoices) expect(s.debts.onecTotal).toBe(truth.debts.onecTotal);
      else expect(s.debts).toBeUndefined();
      const e = drift.expect;
      const expected: Record<string, number> = {
        field_mismatch: e.fieldMismatches.length,
        missing_in_crm: e.missingInCrm.length,
        status_mismatch: e.statusMismatches.length,
        invalid_value: truth.invalid.length,
      };
      if (hasInvoices)
        expected.debt_mismatch =
          truth.debts.mismatches.filter((m) => !m.withinTolerance).length + e.debtMismatches.length;
      else expect(s.discrepancies.debt_mismatch).toBeUndefined();
      for (const [k, n] of Object.entries(expected)) expect([k, s.discrepancies[k] ?? 0]).toEqual([k, n]);

      // --- items, duplicates and the report through REST ---
      const fm = (
        await api('GET', `/api/v1/reconciliations/${run.id}/discrepancies?kind=field_mismatch&limit=1000`)
      ).json();
      expect(fm.total).toBe(expected.field_mismatch);
      expect(
        fm.items.map((d: { onecRef: string; field: string }) => `${d.onecRef}|${d.field}`).sort(),
      ).toEqual(e.fieldMismatches.map((f) => `${f.ref}|${f.field}`).sort());
      const dups = (
        await api('GET', `/api/v1/reconciliations/${run.id}/duplicates?scope=cross&limit=1000`)
      ).json();
      expect(dups.total).toBe(s.duplicates.cross);
      const csv = await api('GET', `/api/v1/reconciliations/${run.id}/report`, undefined, 'text/csv');
      expect(csv.status).toBe(200);
      const html = await api('GET', `/api/v1/reconciliations/${run.id}/report`, undefined, 'text/html');
      expect(html.text).toContain('<table');
      // A renamed company's row links its card in the CRM, and the fake CRM serves that card.
      const renamed = e.fieldMismatches.find((f) => f.field === 'title')!;
      const card = crm.companyCardUrl(String(await target.companyIdOf(renamed.ref)));
      expect(html.text).toContain(`href="${escapeHtml(card)}"`);
      const page = await fetch(card);
      expect([page.status, (await page.text()).includes(`<h1>${escapeHtml(renamed.crmValue)}</h1>`)]).toEqual(
        [200, true],
      );

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
      expect(raw).not.toContain(crm.sims.onec.password);
      for (const secret of crm.secrets) expect(raw).not.toContain(secret);

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
        truth.counts.counterparties.live - crossAdoptable(dataset),
      );
      expect(value('sverka_report_emails_total{outcome="sent"}')).toBe(1);
      if (hasInvoices)
        expect(value('sverka_open_debt_rub{system="onec"}')).toBeCloseTo(Number(truth.debts.onecTotal), 2);
      else expect(metrics).not.toMatch(/^sverka_open_debt_rub\{/m);
      expect(metrics).not.toContain(crm.sims.onec.password);
      for (const secret of crm.secrets)
        expect([metrics.includes(secret), log.includes(secret)]).toEqual([false, false]);
    });

    (prometheusInstalled ? it : it.skip)(
      'a real Prometheus scraping this service answers every dashboard query with data',
      async () => {
        const { empty } = await queriesWithoutData(
          base,
          DASHBOARDS.map((d) => d.build()),
        );
        // Without invoices in the CRM there is no open debt to show (see crm.invoices); every other panel has data.
        const got = empty.map((q) => `${q.where}: ${q.expr}`);
        expect(got).toEqual(crm.invoices ? [] : got.filter((q) => q.includes(' / Open debt / ')));
        if (!crm.invoices) expect(got).toHaveLength(3);
      },
    );
  },
);
