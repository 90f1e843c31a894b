import {
  SAMPLE_PREVIOUS_ID,
  SAMPLE_RAW_CONTACTS,
  SAMPLE_RUN_ID,
  sampleClusters,
  sampleDiscrepancies,
  samplePreviousItems,
  samplePreviousRun,
  sampleRun,
} from './report-sample.js';
import { buildReportModel, discrepancyKey, type ReportInput } from './report-model.js';
import { DEFAULT_REPORT_THRESHOLDS } from './report-thresholds.constants.js';

const now = new Date('2026-11-28T03:08:00Z');

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    run: sampleRun(),
    previous: samplePreviousRun(),
    discrepancies: sampleDiscrepancies(),
    previousKeys: new Set(samplePreviousItems().map(discrepancyKey)),
    clusters: sampleClusters(),
    locale: 'ru',
    links: { publicUrl: 'https://sverka.example.ru/', grafanaUrl: 'https://grafana.example.ru/d/sverka' },
    now,
    ...over,
  };
}

describe('buildReportModel: a succeeded run with discrepancies', () => {
  const m = buildReportModel(input());

  it('subject: date in Moscow time, total and new ones (ru)', () => {
    expect(m.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: 15 расхождений, 4 новых');
    expect(m.total).toBe(15);
    expect(m.newCount).toBe(4);
    expect(m.verdict).toBe('issues');
  });

  it('subject in English', () => {
    expect(buildReportModel(input({ locale: 'en' })).subject).toBe(
      'Reconciliation 1C ↔ CRM 28.11.2026: 15 discrepancies, 4 new',
    );
  });

  it('Russian plural forms', () => {
    const one = sampleDiscrepancies().slice(3, 4);
    const run = sampleRun({ summary: { ...sampleRun().summary!, discrepancies: { field_mismatch: 1 } } });
    const mm = buildReportModel(input({ run, discrepancies: one, previousKeys: new Set() }));
    expect(mm.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: 1 расхождение, 1 новое');
  });

  it('a headline row per check with status and change since the previous run', () => {
    const by = Object.fromEntries(m.checks.map((c) => [c.check, c]));
    expect(m.checks.map((c) => c.check)).toEqual([
      'counts',
      'statuses',
      'debts',
      'fields',
      'duplicates',
      'validation',
      'sync_failures',
      'conflicts',
    ]);
    // counts = missing 2 + orphan 1 + count 1 = 4; yesterday missing 4 + orphan 1 + count 1 = 6
    expect(by.counts).toMatchObject({ count: 4, delta: -2, status: 'warning' });
    expect(by.statuses).toMatchObject({ count: 2, delta: 1, status: 'warning' });
    // An INN mismatch is a critical item: the fields check is critical whatever its count.
    expect(by.fields).toMatchObject({ count: 5, delta: 1, status: 'critical' });
    expect(by.duplicates).toMatchObject({ count: 3, delta: -1, status: 'warning' });
    expect(by.sync_failures).toMatchObject({ count: 1, delta: 1, status: 'critical' });
    // Open field conflicts of sync's manual strategy: 2 today, 3 yesterday.
    expect(by.conflicts).toMatchObject({ count: 2, delta: -1, status: 'warning' });
    expect(m.level).toBe('critical');
  });

  it('open field conflicts are named in the verdict with where to decide them; none, no note', () => {
    expect(m.verdictText).toMatch(
      /Ждут решения конфликты полей: 2 \(GET \/api\/v1\/conflicts\?status=open\)/,
    );
    expect(buildReportModel(input({ locale: 'en' })).verdictText).toMatch(
      /Field conflicts waiting for a decision: 2/,
    );
    const none = sampleRun({
      summary: { ...sampleRun().summary!, conflicts: { open: 0, oldestOpenedAt: null } },
    });
    const mm = buildReportModel(input({ run: none }));
    expect(mm.verdictText).not.toMatch(/конфликт/i);
    expect(mm.checks.find((c) => c.check === 'conflicts')).toMatchObject({ count: 0, status: 'ok' });
  });

  it('thresholds decide the status when no item is critical', () => {
    const items = sampleDiscrepancies().map((d) => ({ ...d, severity: 'warning' as const }));
    const th = {
      ...DEFAULT_REPORT_THRESHOLDS,
      checks: { ...DEFAULT_REPORT_THRESHOLDS.checks, fields: { warningAt: 1, criticalAt: 5 } },
    };
    expect(
      buildReportModel(input({ discrepancies: items, thresholds: th })).checks.find(
        (c) => c.check === 'fields',
      )?.status,
    ).toBe('critical');
    const th2 = { ...th, checks: { ...th.checks, fields: { warningAt: 6, criticalAt: 50 } } };
    expect(
      buildReportModel(input({ discrepancies: items, thresholds: th2 })).checks.find(
        (c) => c.check === 'fields',
      )?.status,
    ).toBe('ok');
  });

  it('open debt on both sides and the difference, without floats', () => {
    expect(m.debts).toEqual({
      onecTotal: '1520000.00',
      crmTotal: '1498000.00',
      difference: '22000.00',
      mismatched: 1,
      mismatchedDelta: -1,
    });
  });

  it('top items per kind, critical and new first, with both values side by side, masked', () => {
    const fields = m.sections.find((s) => s.kind === 'field_mismatch')!;
    expect(fields.total).toBe(5);
    expect(fields.items[0]).toMatchObject({
      field: 'inn',
      onecValue: '5024089920',
      crmValue: '5024089921',
      severity: 'critical',
    });
    expect(fields.items[1]).toMatchObject({
      field: 'phones',
      onecValue: '+7******4567, +7******2233',
      crmValue: '+7******4567',
      isNew: true,
    });
    expect(fields.items[2]).toMatchObject({
      field: 'emails',
      onecValue: 'p***@vektor-m.ru',
      crmValue: 'p***@vektor-m.ru',
      isNew: true,
      differsInMaskedPart: true,
    });
    const json = JSON.stringify(m);
    for (const raw of SAMPLE_RAW_CONTACTS) expect(json).not.toContain(raw);
  });

  it('limits each kind to topPerKind items, the CSV list keeps them all', () => {
    const th = { ...DEFAULT_REPORT_THRESHOLDS, topPerKind: 2 };
    const mm = buildReportModel(input({ thresholds: th }));
    expect(mm.sections.find((s) => s.kind === 'field_mismatch')).toMatchObject({ total: 5 });
    expect(mm.sections.find((s) => s.kind === 'field_mismatch')!.items).toHaveLength(2);
    expect(mm.allItems).toHaveLength(15);
  });

  it('duplicate clusters by score with masked reasons; INN stays', () => {
    expect(m.clusters.total).toBe(3);
    expect(m.clusters.shown[0].reasons).toEqual([
      'сходство названий 0.96 после нормализации',
      'общий телефон +7******4321',
      'общий e-mail s***@romashka.ru',
    ]);
    expect(m.clusters.shown[2].reasons[0]).toBe('один ИНН 7812014560');
  });

  it('links to the run in the API and to Grafana', () => {
    expect(m.links).toEqual({
      api: `https://sverka.example.ru/api/v1/reconciliations/${SAMPLE_RUN_ID}`,
      grafana: 'https://grafana.example.ru/d/sverka',
    });
    expect(buildReportModel(input({ links: {} })).links).toEqual({});
  });
});

describe('buildReportModel: never a false all clear', () => {
  it('a clean run says so', () => {
    const run = sampleRun({
      summary: { counts: {}, discrepancies: {}, duplicates: {}, previousRunId: SAMPLE_PREVIOUS_ID },
    });
    const m = buildReportModel(input({ run, discrepancies: [], clusters: [] }));
    expect(m.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: расхождений нет');
    expect(m.verdict).toBe('ok');
    expect(m.level).toBe('ok');
  });

  it('a partial run says so in the subject, and which checks did not run', () => {
    const summary = {
      ...sampleRun().summary!,
      skippedChecks: [{ check: 'debts', reason: '1C balance register timed out' }],
    };
    const m = buildReportModel(input({ run: sampleRun({ status: 'partial', summary }) }));
    expect(m.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: выполнена частично — 15 расхождений, 4 новых');
    expect(m.checks.find((c) => c.check === 'debts')).toMatchObject({
      status: 'not_run',
      note: '1C balance register timed out',
    });
    expect(m.verdictText).toContain('debts');
  });

  it('a partial run with no discrepancies is not "all clear"', () => {
    const summary = {
      counts: {},
      discrepancies: {},
      skippedChecks: [{ check: 'contacts', reason: 'CRM unavailable' }],
    };
    const m = buildReportModel(
      input({
        run: sampleRun({ status: 'partial', summary }),
        discrepancies: [],
        clusters: [],
        locale: 'en',
      }),
    );
    expect(m.subject).toBe('Reconciliation 1C ↔ CRM 28.11.2026: PARTIAL run — no discrepancies');
    expect(m.level).not.toBe('ok');
  });

  it('a failed run says so', () => {
    const m = buildReportModel(
      input({ run: sampleRun({ status: 'failed', summary: null }), discrepancies: [], clusters: [] }),
    );
    expect(m.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: СВЕРКА НЕ ВЫПОЛНЕНА');
    expect(m.level).toBe('critical');
    expect(
      buildReportModel(input({ run: sampleRun({ status: 'failed', summary: null }), locale: 'en' })).subject,
    ).toBe('Reconciliation 1C ↔ CRM 28.11.2026: RUN FAILED');
  });

  it('without a previous run: no change column and no "new" count', () => {
    const run = sampleRun({ summary: { ...sampleRun().summary!, previousRunId: null } });
    const m = buildReportModel(input({ run, previous: null, previousKeys: null }));
    expect(m.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: 15 расхождений');
    expect(m.checks.every((c) => c.delta === null)).toBe(true);
  });

  it('with a previous run but no item keys: new = sum of positive changes per kind', () => {
    const m = buildReportModel(input({ previousKeys: null }));
    // field +1, status +1, sync +1, missing −2: positive changes sum to 3
    expect(m.newCount).toBe(3);
  });

  it('previousRunId without that run or a delta: no invented "0 new"', () => {
    const m = buildReportModel(input({ previous: null, previousKeys: null }));
    expect(m.newCount).toBeNull();
    expect(m.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: 15 расхождений');
  });
});
