import { stringify } from 'csv-stringify/sync';
import { reportStrings } from './report-i18n.js';
import type { ReportModel } from './report-model.js';

/**
 * The full discrepancy list as CSV: UTF-8 with a BOM (so Excel shows Cyrillic), one row per item,
 * values masked, every word in REPORT_LOCALE (kind, entity, severity and field by name, deal stages
 * by name), each row with the record's name, INN and the links to its CRM card and its 1C object. Russian Excel expects `;` as the separator, so the Russian file uses `;` and the
 * English one `,`. A cell that Excel would read as a formula (`=`, `+`, `-`, `@` and not a plain
 * number: e.g. a masked phone `+7******4567`) gets a leading apostrophe. Pure.
 */

export function csvDelimiter(locale: 'ru' | 'en'): string {
  return locale === 'ru' ? ';' : ',';
}

function cell(v: string): string {
  if (/^[=+\-@\t\r]/.test(v) && !/^[+-]?\d+(?:[.,]\d+)?$/.test(v)) return `'${v}`;
  return v;
}

export function renderCsv(m: ReportModel): Buffer {
  const t = reportStrings(m.locale);
  const rows = m.allItems.map((i) =>
    [
      t.kinds[i.kind],
      t.entities[i.entity],
      t.severities[i.severity],
      i.name,
      i.inn,
      i.fieldLabel,
      i.onecValue,
      i.crmValue,
      i.detail,
      i.isNew ? t.yes : '',
      i.crmUrl ?? '',
      i.onecUrl ?? '',
      i.onecRef,
      i.crmId,
    ].map(cell),
  );
  const text = stringify([t.csvHeader, ...rows], {
    bom: true,
    delimiter: csvDelimiter(m.locale),
    record_delimiter: '\r\n',
    quoted_string: false,
  });
  return Buffer.from(text, 'utf8');
}
