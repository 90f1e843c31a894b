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

/** Sync's reasons (written in English in the API) in Russian for the Russian CSV; others as they are. */
const RU_REASONS: [RegExp, string][] = [
  [/^(\d+) CRM companies have INN (\d+)/, 'в CRM $1 компании с ИНН $2'],
  [
    /^(\d+) 1C counterparties match the CRM company with INN (\d+)/,
    '$1 контрагента 1С подходят к одной компании CRM с ИНН $2',
  ],
  [/^(\d+) CRM contacts of the company match/, 'подходят $1 контакта компании в CRM'],
  [
    /^(\d+) 1C contact persons match the same CRM contact/,
    '$1 контактных лица 1С подходят к одному контакту CRM',
  ],
  [/; candidates: /, '; кандидаты: '],
  [/^deletion-marked in 1C and never synced$/, 'помечен на удаление в 1С и ни разу не выгружался'],
  [/^deletion-marked in 1C$/, 'помечен на удаление в 1С'],
  [/^gone from 1C$/, 'удалён из 1С'],
  [/^the contact person has no counterparty owner$/, 'у контактного лица нет владельца-контрагента'],
  [/^its counterparty (\S+) is not synced yet$/, 'его контрагент $1 ещё не выгружен'],
  [/^the order is not posted$/, 'заказ не проведён'],
  [/^the order has no counterparty$/, 'в заказе нет контрагента'],
  [
    /^the order status "(.*)" has no stage in the mapping$/,
    'для статуса заказа «$1» нет стадии в сопоставлении',
  ],
];

export function reasonRu(reason: string): string {
  let out = reason;
  for (const [re, to] of RU_REASONS) out = out.replace(re, to);
  return out;
}

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
      locale === 'ru' && i.reason ? reasonRu(i.reason) : (i.reason ?? ''),
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
