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

  it('1C records held for a matching decision: a line in the verdict with where to decide; none, no line', () => {
    const held = sampleRun({
      summary: { ...sampleRun().summary!, matches: { open: 3, byEntity: { counterparties: 3 } } },
    });
    expect(buildReportModel(input({ run: held })).verdictText).toContain(
      'Ждут решения о сопоставлении: 3 записи 1С — в CRM несколько похожих карточек, запись не выгружается, пока оператор не выберет карточку или не велит создать новую (GET /api/v1/matches?status=open).',
    );
    expect(buildReportModel(input({ run: held, locale: 'en' })).verdictText).toContain(
      'Waiting for a matching decision: 3 1C records with several look-alike CRM cards',
    );
    const none = sampleRun({ summary: { ...sampleRun().summary!, matches: { open: 0, byEntity: {} } } });
    expect(buildReportModel(input({ run: none })).verdictText).not.toMatch(/сопоставлени/);
  });

  it('overdue conflict to-dos: a line in the verdict with who is late (five named, the rest counted); none, no line', () => {
    const late = (name: string, count: number, id: string | null = '7') => ({
      responsibleId: id,
      responsibleName: name,
      count,
      oldestDeadline: '2026-11-25T09:00:00.000Z',
    });
    const overdueTodos = {
      at: now.toISOString(),
      total: 4,
      byEntity: { counterparties: 3, contacts: 1, deals: 0 },
      late: [late('Ирина Клиентова', 2), late('', 1, '17'), late('', 1, null)],
    };
    const mm = buildReportModel(input({ overdueTodos }));
    expect(mm.verdictText).toContain(
      'Просрочены задачи менеджерам по конфликтам: 4 — Ирина Клиентова (2), пользователь CRM 17 (1), пользователь CRM по умолчанию (1).',
    );
    expect(mm.overdueTodos).toEqual({
      total: 4,
      late: [
        { name: 'Ирина Клиентова', id: '7', count: 2 },
        { name: '', id: '17', count: 1 },
        { name: '', id: null, count: 1 },
      ],
    });
    expect(buildReportModel(input({ overdueTodos, locale: 'en' })).verdictText).toContain(
      "Conflict to-dos past their deadline: 4 — Ирина Клиентова (2), CRM user 17 (1), the CRM's default user (1).",
    );
    const many = {
      ...overdueTodos,
      total: 7,
      late: ['А', 'Б', 'В', 'Г', 'Д', 'Е', 'Ж'].map((n) => late(n, 1)),
    };
    expect(buildReportModel(input({ overdueTodos: many })).verdictText).toContain(
      'Просрочены задачи менеджерам по конфликтам: 7 — А (1), Б (1), В (1), Г (1), Д (1) и ещё 2.',
    );
    const none = buildReportModel(input({ overdueTodos: { ...overdueTodos, total: 0, late: [] } }));
    expect(none.verdictText).not.toMatch(/Просрочены/);
    expect(none.overdueTodos).toBeNull();
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

  it('links to the run and its report in the API and to Grafana; each section to its items', () => {
    const run = `https://sverka.example.ru/api/v1/reconciliations/${SAMPLE_RUN_ID}`;
    expect(m.links).toEqual({
      api: run,
      report: `${run}/report`,
      grafana: 'https://grafana.example.ru/d/sverka',
    });
    for (const s of m.sections) expect(s.apiUrl).toBe(`${run}/discrepancies?kind=${s.kind}`);
    expect(m.clusters.apiUrl).toBe(`${run}/duplicates`);
    const none = buildReportModel(input({ links: {} }));
    expect(none.links).toEqual({});
    expect(none.sections.every((s) => s.apiUrl === undefined)).toBe(true);
  });

  it('the headline total is the sum of its discrepancy checks and of the sections; duplicates apart', () => {
    const counted = m.checks.filter((c) => c.inTotal);
    expect(counted.map((c) => c.check)).toEqual([
      'counts',
      'statuses',
      'debts',
      'fields',
      'validation',
      'sync_failures',
    ]);
    expect(counted.reduce((a, c) => a + c.count, 0)).toBe(m.total);
    expect(m.sections.reduce((a, s) => a + s.total, 0)).toBe(m.total);
    expect(m.checks.filter((c) => !c.inTotal).map((c) => c.check)).toEqual(['duplicates', 'conflicts']);
    expect(m.verdictText).toContain('Отдельно от расхождений: 3 группы возможных дубликатов.');
  });

  it('every row names its record, its INN and its cards; stage codes read as names', () => {
    const fields = m.sections.find((s) => s.kind === 'field_mismatch')!;
    expect(fields.items[0]).toMatchObject({
      name: 'ООО «Вектор-М»',
      inn: '5024089920',
      fieldLabel: 'ИНН',
      crmUrl: 'https://acme.bitrix24.ru/crm/company/details/2919/',
      onecUrl: expect.stringMatching(/^https:\/\/1c\.example\.ru\/bp30\/#e1cib\/data\/.+\?ref=[0-9a-f]{32}$/),
    });
    const stage = m.sections
      .find((s) => s.kind === 'status_mismatch')!
      .items.find((i) => i.crmId === '15410')!;
    expect(stage).toMatchObject({ onecValue: 'К отгрузке → Финальный счёт', crmValue: 'В работе' });
    const debt = m.sections.find((s) => s.kind === 'debt_mismatch')!.items[0];
    expect(debt).toMatchObject({ fieldLabel: 'Долг', inn: '7802371046' });
    // A record the reconciliation saw gone has no card link.
    const missing = m.sections.find((s) => s.kind === 'missing_in_crm')!.items[0];
    expect(missing.crmUrl).toBeNull();
    expect(missing.onecUrl).toMatch(/#e1cib/);
  });

  it('each section says what to do next', () => {
    for (const s of m.sections) expect(s.nextStep).toMatch(/\S.{40,}[.)]$/);
    expect(m.sections.find((s) => s.kind === 'invalid_value')!.nextStep).toMatch(
      /^Исправляет тот, кто ведёт 1С/,
    );
    expect(m.clusters.nextStep).toMatch(/объединяет бухгалтерия/);
  });

  it("explains the CRM's extra records and the 1C records without a card", () => {
    const c = m.records.find((r) => r.entity === 'counterparties')!;
    expect(c).toMatchObject({ onec: 1200, crm: 1236, linked: 1190, missing: 10 });
    expect(c.extras).toEqual({ extra: 46, unowned: 40, otherIntegrations: 5, orphans: 0, rest: 1 });
    expect(m.records.find((r) => r.entity === 'contacts')!.extras).toBeNull();
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
