import { existsSync } from 'node:fs';
import { jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { LABELLED_FIELDS } from '../../src/common/field-labels.js';
import { DISCREPANCY_KINDS, RECONCILE_ENTITIES, SEVERITIES } from '../../src/common/vocabulary.js';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { Bitrix24Adapter } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import { createDataSource } from '../../src/database/data-source.js';
import { DedupeService } from '../../src/dedupe/dedupe.service.js';
import { simMapping } from '../../sim/mapping.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { ReconcileQueryService } from '../../src/reconcile/reconcile-query.service.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import type { DiscrepancyItem, RunSummary } from '../../src/reconcile/reconcile.types.js';
import { escapeHtml } from '../../src/report/render-html.js';
import { reportStrings } from '../../src/report/report-i18n.js';
import type { RenderedReport } from '../../src/report/report-renderer.js';
import { ReportRenderer } from '../../src/report/report-renderer.js';
import { ReconcileResultsReader as PgReportSource } from '../../src/reconcile/reconcile-results.reader.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import { MAX_ATTEMPTS } from '../../src/sync/sync.constants.js';
import type { Bitrix24Simulator } from '../../sim/bitrix24/index.js';
import { applyDrift, generateDataset, planDrift } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { refusingWritesOf } from '../factories/failing-crm.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(300_000);

/**
 * The report of a real run, as a quality lead gets it: a seeded data set synced to the fake portal by
 * the real sync (one record refused until it is a dead letter), invoices, managers' drift, one 1C
 * counterparty deletion-marked and one removed after the sync, then a reconciliation with duplicates.
 * Each section of the Russian HTML, text and CSV is read back: every row names its record (name, INN)
 * and links its CRM card where the record exists; nothing shows a code; the headline total is the sum
 * of its table. A browser then follows the card links to the fake portal.
 */
const mapping = simMapping();
const dataset = generateDataset({
  seed: 33,
  counterparties: 120,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1.5,
});
const t = reportStrings('ru');
const PUBLIC_URL = 'http://sverka.test';
const GRAFANA_URL = 'http://grafana.test/d/sverka-overview';

/** "1 234" with no-break spaces → 1234. */
const num = (s: string) => Number(s.replace(/[\s\u00a0]/g, ''));
/** Visible text of an HTML fragment: tags dropped, entities decoded. */
const visible = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
/** Codes that must never reach a Russian reader (links and masked e-mails left out of the scan). */
const CODES = new RegExp(
  `\\b(${[
    'NEW',
    'PREPARATION',
    'EXECUTING',
    'FINAL_INVOICE',
    'WON',
    'LOSE',
    ...LABELLED_FIELDS,
    ...DISCREPANCY_KINDS,
    ...RECONCILE_ENTITIES,
    ...SEVERITIES,
  ].join('|')})\\b`,
);
const codesIn = (text: string) =>
  [
    ...text
      .replace(/https?:\/\/\S+/g, ' ')
      .replace(/\S+@\S+/g, ' ')
      .matchAll(new RegExp(CODES, 'g')),
  ].map((m) => m[1]);

describe('the report of a seeded run (HTML, text, CSV)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sims: RunningSimulators;
  let sim: Bitrix24Simulator;
  let settings: Settings;
  let onec: OneCPort;
  let crm: Bitrix24Adapter;
  let portal: string;
  let runId: string;
  let items: DiscrepancyItem[];
  let summary: RunSummary;
  let report: RenderedReport;

  beforeAll(async () => {
    db = await createTestDatabase('report_seeded');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await ds.runMigrations();
    sims = await startSimulators({ dataset });
    sim = sims.bitrix24.sim as Bitrix24Simulator;
    sim.setLimits(false);
    portal = new URL(sims.bitrix24.webhookUrl).origin;
    settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
        REPORT_LOCALE: 'ru',
        PUBLIC_URL,
        GRAFANA_URL,
      },
      { mode: 'embedded' },
    );
    onec = createOneCPort(settings, mapping);
    crm = new Bitrix24Adapter({
      webhookUrl: sims.bitrix24.webhookUrl,
      rps: 1000,
      burst: 1000,
      retryScale: 0.01,
    });

    // Sync, with one counterparty the portal keeps refusing until it is a dead letter.
    const plan = planDrift(dataset, 7, { perKind: 3 });
    const planned = new Set([
      ...plan.expect.fieldMismatches.map((f) => f.ref),
      ...plan.expect.missingInCrm,
      ...plan.expect.debtMismatches.map((d) => d.ref),
    ]);
    const live = sims.onec.sim
      .rows('counterparties')
      .filter((r) => !r.IsFolder && !r.DeletionMark)
      .map((r) => String(r.Ref_Key))
      .filter((ref) => !planned.has(ref));
    const refused = live[0];
    const refusing = refusingWritesOf(crm, new Set([refused]));
    for (let i = 0; i < MAX_ATTEMPTS; i++)
      await new SyncRunnerService(ds, mapping, onec, refusing).runNow({ trigger: 'cli' });
    const links = (await ds.query(
      `SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties'`,
    )) as {
      onec_ref: string;
      crm_id: string;
    }[];
    sim.state.addInvoices(
      dataset.invoicesFor(new Map(links.map((l) => [l.onec_ref, l.crm_id]))) as unknown as Record<
        string,
        unknown
      >[],
    );
    expect((await applyDrift(plan, sim.driftTarget(mapping.source))).skipped).toEqual([]);
    // After the sync, 1C marks one counterparty for deletion and loses another: two orphans.
    sims.onec.sim.markDeleted('counterparties', live[1]);
    sims.onec.sim.remove('counterparties', live[2]);

    const runner = new ReconcileRunnerService(ds, settings, mapping, onec, crm, new DedupeService());
    const run = await runner.runNow({ trigger: 'api', dedupe: true, sampleSize: 10 });
    expect(run.status).toBe('succeeded');
    runId = run.id;
    summary = run.summary!;
    items = [];
    for await (const d of new ReconcileQueryService(ds).allDiscrepancies(runId)) items.push(d);
    report = (await new ReportRenderer(new PgReportSource(ds), settings).renderRun(runId))!;
  });
  afterAll(async () => {
    await sims?.close();
    await ds?.destroy();
    await db?.drop();
  });

  /** The CRM record of an item, if the portal has it. */
  const crmRecord = (d: DiscrepancyItem) => {
    if (!d.crmId) return undefined;
    const entity = d.entity === 'contacts' ? 'contacts' : d.entity === 'deals' ? 'deals' : 'companies';
    return sim.state.get(entity, d.crmId);
  };

  it('the run found every kind of discrepancy, and duplicates', () => {
    expect([...new Set(items.map((d) => d.kind))].sort()).toEqual([...DISCREPANCY_KINDS].sort());
    expect(report.model.clusters.total).toBeGreaterThan(0);
  });

  it('API items name their record, give the INN of counterparties, and link the CRM card exactly when the record exists', () => {
    for (const d of items) {
      if (d.kind === 'count_mismatch') {
        expect(d).toMatchObject({ name: null, crmUrl: null, onecUrl: null });
        continue;
      }
      expect(d.name).toMatch(/\S/);
      const counterparty = d.entity === 'counterparties' || d.entity === 'debts';
      if (counterparty && !(d.kind === 'invalid_value' && d.field === 'inn'))
        expect(d.inn).toMatch(/^\d{10}(\d{2})?$/);
      if (!counterparty) expect(d.inn).toBeNull();
      const record = crmRecord(d);
      if (record)
        expect(d.crmUrl).toMatch(new RegExp(`^${portal}/crm/(company|contact|deal)/details/${d.crmId}/$`));
      else expect(d.crmUrl).toBeNull();
      if (d.onecRef && !(d.kind === 'orphan_in_crm' && !sims.onec.sim.get('counterparties', d.onecRef)))
        expect(d.onecUrl).toMatch(/#e1cib\/data\/.+\?ref=[0-9a-f]{32}$/);
    }
  });

  it('HTML: per section, every row carries the name, the INN and the CRM card link; the section says what to do', () => {
    const html = report.html;
    const starts = report.model.sections.map((s) => {
      const at = html.indexOf(`>${escapeHtml(t.kinds[s.kind])} <span`);
      expect(at).toBeGreaterThan(0);
      return at;
    });
    const end = html.search(new RegExp(`>${t.duplicatesHeading} \\(\\d`));
    expect(end).toBeGreaterThan(Math.max(...starts));
    report.model.sections.forEach((s, k) => {
      const part = html.slice(starts[k], starts[k + 1] ?? end);
      expect(part).toContain(escapeHtml(s.nextStep));
      expect(part).toContain(
        `href="${PUBLIC_URL}/api/v1/reconciliations/${runId}/discrepancies?kind=${s.kind}"`,
      );
      const rows = [...part.matchAll(/<tr><td align="left" valign="top"[\s\S]*?<\/tr>/g)].map((m) => m[0]);
      expect(rows).toHaveLength(s.items.length);
      expect(s.items.length).toBe(Math.min(s.total, 5));
      s.items.forEach((i, r) => {
        expect(rows[r]).toContain(`<b>${escapeHtml(i.name || t.entities[i.entity])}</b>`);
        if (i.inn) expect(rows[r]).toContain(`${t.inn} ${i.inn}`);
        if (i.crmUrl) expect(rows[r]).toContain(`href="${i.crmUrl}"`);
        if (i.onecUrl) expect(rows[r]).toContain(`href="${escapeHtml(i.onecUrl)}"`);
      });
      // Where a row's record is in the CRM, the row links its card.
      const withCard = s.items.filter((i) => i.crmUrl).length;
      expect(withCard).toBe(
        items.filter(
          (d) =>
            d.kind === s.kind &&
            s.items.some((i) => i.onecRef === (d.onecRef ?? '') && i.crmId === (d.crmId ?? '')) &&
            crmRecord(d),
        ).length,
      );
      if (['field_mismatch', 'status_mismatch', 'debt_mismatch', 'orphan_in_crm'].includes(s.kind))
        expect(withCard).toBe(s.items.length);
    });
    // Duplicate groups: each member by name, with its INN when known and a link to its card.
    const dups = html.slice(end, html.indexOf(escapeHtml(t.attachmentNote)));
    for (const c of report.model.clusters.shown)
      for (const m of c.members) {
        expect(dups).toContain(escapeHtml(m.name));
        expect(m.url).toMatch(
          m.system === 'crm' ? new RegExp(`^${portal}/crm/company/details/\\d+/$`) : /#e1cib\/data\//,
        );
        expect(dups).toContain(`href="${escapeHtml(m.url!)}"`);
      }
  });

  it('HTML: the headline total is the sum of its table and of the sections; duplicates counted apart', () => {
    const html = report.html;
    const table = html.slice(html.indexOf(`>${t.checksHeading}<`), html.indexOf(`>${t.totalRow}</b>`));
    const counts = [...table.matchAll(/font-weight:bold;">([\d\u00a0]+)<\/td>/g)].map((m) => num(m[1]));
    expect(counts).toHaveLength(6);
    const total = num(/>([\d\u00a0]+)<\/td>/.exec(html.slice(html.indexOf(`>${t.totalRow}</b>`)))![1]);
    const sum = counts.reduce((a, b) => a + b, 0);
    expect(sum).toBe(total);
    expect(total).toBe(items.length);
    expect(total).toBe(Object.values(summary.discrepancies).reduce((a, n) => a + (n ?? 0), 0));
    expect(visible(html)).toContain(`Найдено ${items.length} расхождени`);
    const sections = [
      ...html.matchAll(/<span style="font-weight:normal;color:#5f6368;">\((?:\d+ из )?(\d+)\)<\/span>/g),
    ];
    expect(sections.reduce((a, m) => a + Number(m[1]), 0)).toBe(total);
    // Run completion and the verdict are said apart; duplicates are not in the total.
    expect(html).toContain(t.runStatus.succeeded);
    expect(visible(html)).toContain(t.duplicatesAside(report.model.clusters.total));
    expect(html.slice(html.indexOf(`>${t.notInTotal}<`))).toContain(t.checks.duplicates);
  });

  it("HTML: the CRM's extra companies are explained with counts that add up", () => {
    const c = report.model.records.find((r) => r.entity === 'counterparties')!;
    expect(c.extras).not.toBeNull();
    const e = c.extras!;
    expect(e.unowned + e.otherIntegrations + e.orphans + e.rest).toBe(c.crm - c.linked);
    expect(e.unowned).toBeGreaterThan(0);
    expect(e.orphans).toBe(2);
    // After the entity's name ("Контрагенты: в CRM на …").
    expect(visible(report.html)).toContain(
      `${t.entities.counterparties}: в${t.crmExtras('counterparties', e).slice(1)}`,
    );
  });

  it('no stage, field, kind, entity or severity code anywhere a Russian reader looks', () => {
    expect(codesIn(visible(report.html))).toEqual([]);
    expect(codesIn(report.text)).toEqual([]);
    // Stage names with the 1C status beside the expected stage.
    const stage = report.model.sections.find((s) => s.kind === 'status_mismatch')!.items[0];
    expect(stage.onecValue).toMatch(/^[А-ЯЁ][а-яё ]+ → [А-ЯЁ][а-яё ]+$/);
    expect(stage.crmValue).toMatch(/^[А-ЯЁ][а-яё ]+$/);
  });

  it('text: per section, every row names its record with its INN and its CRM card', () => {
    const lines = report.text.split('\n');
    for (const s of report.model.sections) {
      const from = lines.findIndex((l) => l.startsWith(`== ${t.kinds[s.kind]} (`));
      const to = lines.findIndex((l, i) => i > from && l.startsWith('== '));
      const part = lines.slice(from, to < 0 ? undefined : to);
      expect(part[1]).toBe(`${t.nextStepLabel}: ${s.nextStep}`);
      const rows = part.filter((l) => l.startsWith('- '));
      expect(rows).toHaveLength(s.items.length);
      s.items.forEach((i, r) => {
        expect(rows[r]).toContain(i.name || t.entities[i.entity]);
        if (i.inn) expect(rows[r]).toContain(`${t.inn} ${i.inn}`);
        if (i.crmUrl) expect(part).toContain(`  CRM: ${i.crmUrl}`);
      });
    }
    // Headline total = the sum of its lines.
    const head = lines.slice(
      lines.indexOf(`== ${t.checksHeading} ==`) + 1,
      lines.findIndex((l) => l.startsWith(`= ${t.totalRow}:`)),
    );
    const sum = head
      .filter((l) => /^\[/.test(l))
      .reduce((a, l) => a + num(/: ([\d\u00a0]+) \(/.exec(l)![1]), 0);
    expect(lines).toContain(
      `= ${t.totalRow}: ${String(items.length).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')}`,
    );
    expect(sum).toBe(items.length);
  });

  it('CSV: every item, kind in words, name and INN, the CRM card, no codes; totals per kind equal the summary', () => {
    const rows = parse(report.csv.toString('utf8').slice(1), { delimiter: ';' }) as string[][];
    const [header, ...body] = rows;
    expect(header).toEqual(t.csvHeader);
    const col = (name: string) => header.indexOf(name);
    expect(body).toHaveLength(items.length);
    const kindOf = new Map(Object.entries(t.kinds).map(([k, words]) => [words, k]));
    const perKind: Record<string, number> = {};
    for (const r of body) {
      const kind = kindOf.get(r[col('Тип')]);
      expect(kind).toBeDefined();
      perKind[kind!] = (perKind[kind!] ?? 0) + 1;
      const item = items.find(
        (d) =>
          (d.onecRef ?? '') === r[col('Ссылка 1С (GUID)')] &&
          (d.crmId ?? '') === r[col('ID в CRM')] &&
          d.kind === kind,
      )!;
      expect(item).toBeDefined();
      if (kind !== 'count_mismatch') expect(r[col('Название')]).toMatch(/\S/);
      if (item.inn) expect(r[col('ИНН')]).toBe(item.inn);
      expect(r[col('Карточка в CRM')]).toBe(item.crmUrl ?? '');
      const words = [
        col('Тип'),
        col('Объект'),
        col('Важность'),
        col('Поле'),
        col('Значение в 1С'),
        col('Значение в CRM'),
        col('Описание'),
      ]
        .map((i) => r[i])
        .join(' | ');
      expect(codesIn(words)).toEqual([]);
    }
    expect(perKind).toEqual(summary.discrepancies);
  });

  it('masks planted invalid phones and e-mails, but readably', () => {
    for (const bad of dataset.truth.invalid.filter((i) => i.field === 'phones' || i.field === 'emails'))
      if (bad.value.length >= 6)
        for (const part of [report.html, report.text, report.csv.toString('utf8')])
          expect(part).not.toContain(bad.value);
    const phone = items.find((d) => d.kind === 'invalid_value' && d.field === 'phones');
    if (phone) expect(phone.detail).toMatch(/цифр|добавочный|нет ни одной цифры|международный/);
  });

  const maybe = existsSync('/usr/bin/chromium') ? describe : describe.skip;
  if (!existsSync('/usr/bin/chromium'))
    console.warn(
      'report links browser test skipped: /usr/bin/chromium is not installed (apt-get install chromium)',
    );
  maybe('in a browser', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("the report's links open the fake portal's cards and the 1C web client (HTTP 200)", async () => {
      const page = await browser.newPage({ javaScriptEnabled: false });
      await page.setContent(report.html, { waitUntil: 'load' });
      const hrefs = (await page.evaluate(
        `Array.from(document.querySelectorAll('a[href]')).map((a) => a.href)`,
      )) as string[];
      const cards = [...new Set(hrefs.filter((h) => h.startsWith(`${portal}/crm/`)))];
      const onecRoot = sims.onec.url.replace(/odata\/standard\.odata$/, '');
      const onecLinks = [...new Set(hrefs.filter((h) => h.startsWith(onecRoot)))];
      const shownWithCard = report.model.sections.flatMap((s) => s.items).filter((i) => i.crmUrl).length;
      expect(cards.length).toBeGreaterThanOrEqual(Math.min(shownWithCard, 1));
      expect(onecLinks.length).toBeGreaterThan(0);
      expect(hrefs.filter((h) => h.startsWith(PUBLIC_URL)).length).toBeGreaterThan(0);
      expect(hrefs).toContain(GRAFANA_URL);
      // Every link goes to the portal, 1C, the API or Grafana: nothing else.
      expect(
        hrefs.filter((h) => ![portal, onecRoot, PUBLIC_URL, GRAFANA_URL].some((p) => h.startsWith(p))),
      ).toEqual([]);
      for (const href of cards) {
        const res = await page.goto(href);
        expect(`${href} ${res?.status()}`).toBe(`${href} 200`);
        const id = /\/details\/(\d+)\/$/.exec(href)![1];
        expect(await page.title()).toMatch(new RegExp(`(Компания|Контакт|Сделка) ${id}$`));
      }
      for (const href of onecLinks.slice(0, 5)) {
        await page.goto('about:blank'); // two links differing only after "#" would not load again
        const res = await page.goto(href);
        expect(`${href} ${res?.status()}`).toBe(`${href} 200`);
      }
      await page.close();
    });
  });
});
