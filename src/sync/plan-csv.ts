import { stringify } from 'csv-stringify/sync';
import type { PlanItem } from './dry-run-plan.js';

/** One item of a dry run's plan as the API shows it (the row the plan recorder wrote). */
export type PlanItemView = PlanItem;

const WORDS = {
  ru: {
    header: [
      'Сущность',
      'Действие',
      'Ссылка 1С',
      'ID в CRM',
      'Наименование',
      'ИНН',
      'Изменения (CRM → 1С)',
      'Причина',
    ],
    entities: { counterparties: 'Контрагент', contacts: 'Контактное лицо', deals: 'Заказ клиента' },
    actions: {
      create: 'создать',
      update: 'обновить',
      link: 'связать с записью CRM',
      review: 'ждёт решения',
      unchanged: 'без изменений',
      flag: 'пометить удалённым в 1С',
      conflict: 'конфликт',
      skip: 'пропустить',
    },
  },
  en: {
    header: ['Entity', 'Action', '1C ref', 'CRM id', 'Name', 'INN', 'Changes (CRM → 1C)', 'Reason'],
    entities: { counterparties: 'Counterparty', contacts: 'Contact person', deals: 'Customer order' },
    actions: {
      create: 'create',
      update: 'update',
      link: 'link to the CRM record',
      review: 'waits for a decision',
      unchanged: 'unchanged',
      flag: 'flag as deleted in 1C',
      conflict: 'conflict',
      skip: 'skip',
    },
  },
} as const;

/** A cell Excel would read as a formula gets a leading apostrophe. */
function cell(v: string): string {
  return /^[=+\-@\t\r]/.test(v) && !/^[+-]?\d+(?:[.,]\d+)?$/.test(v) ? `'${v}` : v;
}

/**
 * A dry run's plan as CSV: UTF-8 with a BOM (Excel shows Cyrillic), `;` in Russian and `,` in English,
 * words in REPORT_LOCALE, one row per item, changes as `field: CRM value → 1C value` joined by ` | `. Pure.
 */
export function planCsv(items: readonly PlanItemView[], locale: 'ru' | 'en'): Buffer {
  const w = WORDS[locale];
  const rows = items.map((i) =>
    [
      w.entities[i.entity],
      w.actions[i.action],
      i.onecRef,
      i.crmId ?? '',
      i.name,
      i.inn ?? '',
      (i.changes ?? []).map((c) => `${c.field}: ${c.crm || '—'} → ${c.onec || '—'}`).join(' | '),
      i.reason ?? '',
    ].map(cell),
  );
  return Buffer.from(
    stringify([[...w.header], ...rows], {
      bom: true,
      delimiter: locale === 'ru' ? ';' : ',',
      record_delimiter: '\r\n',
      quoted_string: false,
    }),
    'utf8',
  );
}
