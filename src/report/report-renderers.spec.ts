import { parse } from 'csv-parse/sync';
import {
  SAMPLE_RAW_CONTACTS,
  sampleClusters,
  sampleDiscrepancies,
  samplePreviousItems,
  samplePreviousRun,
  sampleRun,
} from './report-sample.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { buildReportModel, discrepancyKey, type ReportInput } from './report-model.js';

function model(over: Partial<ReportInput> = {}) {
  return buildReportModel({
    run: sampleRun(),
    previous: samplePreviousRun(),
    discrepancies: sampleDiscrepancies(),
    previousKeys: new Set(samplePreviousItems().map(discrepancyKey)),
    clusters: sampleClusters(),
    locale: 'ru',
    links: { publicUrl: 'https://sverka.example.ru', grafanaUrl: 'https://grafana.example.ru/d/sverka' },
    now: new Date('2026-11-28T03:08:00Z'),
    ...over,
  });
}

describe('renderHtml: what mail clients show', () => {
  const html = renderHtml(model());

  it('has no scripts, no remote images, no style sheets, no event handlers', () => {
    expect(html).not.toMatch(/<script|<img|<link|<style|<iframe|\son[a-z]+=|javascript:|url\(/i);
    expect(html).not.toMatch(/\ssrc=/i);
  });

  it('is a table layout at most 640 px wide with inline styles', () => {
    expect(html).toMatch(/<table role="presentation" width="640"/);
    expect(html).toContain('max-width:640px');
    const widths = [...html.matchAll(/width[:=]"?(\d+)(?:px)?/g)].map((m) => Number(m[1]));
    expect(Math.max(...widths)).toBeLessThanOrEqual(640);
    expect(html).not.toMatch(/<div[^>]*class=/);
  });

  it('shows the verdict, the headline table, debts, top items and clusters in Russian', () => {
    expect(html).toContain('Найдено 15 расхождений, из них 4 новых со времени прошлой сверки.');
    for (const s of [
      'Итоги по проверкам',
      'Количество записей и связи',
      'Статусы сделок',
      'Долги',
      'Поля',
      'Возможные дубликаты',
      'Ошибки синхронизации',
      'Всего расхождений',
    ])
      expect(html).toContain(s);
    expect(html).toContain('1\u00a0520\u00a0000,00\u00a0₽');
    expect(html).toContain('22\u00a0000,00\u00a0₽');
    expect(html).toContain('5024089920');
    expect(html).toContain('5024089921');
    expect(html).toContain('общий телефон +7******4321');
    expect(html).toContain('href="https://sverka.example.ru/api/v1/reconciliations/');
    expect(html).toContain('href="https://grafana.example.ru/d/sverka"');
  });

  it('masks every phone and e-mail', () => {
    for (const raw of SAMPLE_RAW_CONTACTS) expect(html).not.toContain(raw);
    expect(html).not.toMatch(/\+7\d{10}/);
  });

  it('escapes text', () => {
    const items = sampleDiscrepancies();
    items[3] = {
      ...items[3],
      onecValue: '<script>alert(1)</script>',
      detail: '"><img src=x onerror=alert(1)>',
    };
    const h = renderHtml(model({ discrepancies: items }));
    expect(h).not.toContain('<script>alert');
    expect(h).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(h).not.toMatch(/<img/);
  });

  it('English', () => {
    const h = renderHtml(model({ locale: 'en' }));
    expect(h).toContain('Found 15 discrepancies, 4 of them new since the previous run.');
    expect(h).toContain('1,520,000.00 RUB');
    expect(h).toContain('Possible duplicates');
    expect(h).toContain('<html lang="en">');
  });

  it('a failed run shows the failure, not tables of zeros', () => {
    const h = renderHtml(
      model({ run: sampleRun({ status: 'failed', summary: null }), discrepancies: [], clusters: [] }),
    );
    expect(h).toContain('Сверка не выполнена');
    expect(h).not.toContain('Итоги по проверкам');
  });
});

describe('renderText: reads on a phone', () => {
  const text = renderText(model());

  it('starts with the subject and the verdict, one fact per line', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('Сверка 1С ↔ CRM 28.11.2026: 15 расхождений, 4 новых');
    expect(lines[2]).toContain('Найдено 15 расхождений');
    expect(text).toContain('[!!!] Поля: 5 (+1)');
    expect(text).toContain('[!] Количество записей и связи: 4 (−2)');
    expect(text).toContain('  1С: +7******4567, +7******2233');
    expect(text).toContain('  CRM: +7******4567');
  });

  it('has short fact lines: only sentences (verdict, what to do, explanations, details) and links run long', () => {
    const lines = text.split('\n');
    const long = lines.filter(
      (l) => l.length > 72 && !/https?:\/\//.test(l) && !/^(Что делать: | {2})/.test(l) && !l.endsWith('.'),
    );
    expect(long).toEqual([]);
  });

  it('names each record with its INN and links its cards', () => {
    expect(text).toContain('- !!! ООО «Вектор-М», ИНН 5024089920 (Контрагенты)');
    expect(text).toContain('  CRM: https://acme.bitrix24.ru/crm/company/details/2919/');
    expect(text).toMatch(
      / {2}1С: https:\/\/1c\.example\.ru\/bp30\/#e1cib\/data\/Справочник\.Контрагенты\?ref=/,
    );
    expect(text).toContain('= Всего расхождений: 15');
  });

  it('masks every phone and e-mail', () => {
    for (const raw of SAMPLE_RAW_CONTACTS) expect(text).not.toContain(raw);
  });

  it('English', () => {
    const t = renderText(model({ locale: 'en' }));
    expect(t.split('\n')[0]).toBe('Reconciliation 1C ↔ CRM 28.11.2026: 15 discrepancies, 4 new');
    expect(t).toContain('1C: 1,520,000.00 RUB');
  });
});

describe('renderCsv: the full list for Excel', () => {
  it('UTF-8 with BOM, `;` in Russian, one row per item, masked, formulas defused', () => {
    const csv = renderCsv(model());
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.toString('utf8');
    const rows = parse(text.slice(1), { delimiter: ';', relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual([
      'Тип',
      'Объект',
      'Важность',
      'Название',
      'ИНН',
      'Поле',
      'Значение в 1С',
      'Значение в CRM',
      'Описание',
      'Новое',
      'Карточка в CRM',
      'Ссылка в 1С',
      'Ссылка 1С (GUID)',
      'ID в CRM',
    ]);
    expect(rows).toHaveLength(16);
    const phones = rows.find((r) => r[5] === 'Телефоны')!;
    expect(phones.slice(0, 7)).toEqual([
      'Различаются поля',
      'Контрагенты',
      'внимание',
      'ООО «Ромашка»',
      '7701234567',
      'Телефоны',
      "'+7******4567, +7******2233",
    ]);
    expect(phones[10]).toBe('https://acme.bitrix24.ru/crm/company/details/2920/');
    expect(rows.filter((r) => r[9] === 'да')).toHaveLength(4);
    const stage = rows.find((r) => r[13] === '15410')!;
    expect(stage.slice(5, 8)).toEqual(['Стадия', 'К отгрузке → Финальный счёт', 'В работе']);
    for (const raw of SAMPLE_RAW_CONTACTS) expect(text).not.toContain(raw);
    expect(text).toContain('Ромашка');
  });

  it('English uses commas', () => {
    const text = renderCsv(model({ locale: 'en' })).toString('utf8');
    const rows = parse(text.slice(1), { delimiter: ',' }) as string[][];
    expect(rows[0]).toEqual([
      'Kind',
      'Entity',
      'Severity',
      'Name',
      'INN',
      'Field',
      '1C value',
      'CRM value',
      'Detail',
      'New',
      'CRM card',
      '1C link',
      '1C ref (GUID)',
      'CRM id',
    ]);
    expect(rows[1].slice(0, 3)).toEqual(['Fields differ', 'Counterparties', 'critical']);
    expect(rows).toHaveLength(16);
  });
});
