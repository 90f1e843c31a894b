import { parse } from 'csv-parse/sync';
import { planCsv, reasonRu } from './plan-csv.js';

describe('planCsv', () => {
  const items = [
    {
      entity: 'counterparties' as const,
      action: 'review' as const,
      onecRef: 'r1',
      crmId: null,
      name: 'ООО "Ромашка"',
      inn: '7707083893',
      changes: null,
      reason: '2 CRM companies have INN 7707083893; candidates: 10 «А», 11 «Б»',
    },
    {
      entity: 'counterparties' as const,
      action: 'link' as const,
      onecRef: 'r2',
      crmId: '12',
      name: 'ИП Иванов',
      inn: '500100732259',
      changes: [{ field: 'phones', crm: '', onec: '+74951234567' }],
      reason: null,
    },
  ];

  it('Russian: BOM, `;`, words and reasons in Russian, a phone kept from reading as a formula', () => {
    const text = planCsv(items, 'ru').toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parse(text.slice(1), { delimiter: ';' }) as string[][];
    expect(rows).toEqual([
      [
        'Сущность',
        'Действие',
        'Ссылка 1С',
        'ID в CRM',
        'Наименование',
        'ИНН',
        'Изменения (CRM → 1С)',
        'Причина',
      ],
      [
        'Контрагент',
        'ждёт решения',
        'r1',
        '',
        'ООО "Ромашка"',
        '7707083893',
        '',
        'в CRM 2 компании с ИНН 7707083893; кандидаты: 10 «А», 11 «Б»',
      ],
      [
        'Контрагент',
        'связать с записью CRM',
        'r2',
        '12',
        'ИП Иванов',
        '500100732259',
        'phones: — → +74951234567',
        '',
      ],
    ]);
  });

  it('English: `,` and the reasons as the API gives them', () => {
    const rows = parse(planCsv(items, 'en').toString('utf8').slice(1), { delimiter: ',' }) as string[][];
    expect(rows[1][1]).toBe('waits for a decision');
    expect(rows[1][7]).toBe('2 CRM companies have INN 7707083893; candidates: 10 «А», 11 «Б»');
  });

  it('an unknown reason passes unchanged', () => {
    expect(reasonRu('unreadable 1C record: DataVersion is missing')).toBe(
      'unreadable 1C record: DataVersion is missing',
    );
  });
});
