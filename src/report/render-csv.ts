import { stringify } from 'csv-stringify/sync';
import { reportStrings } from './report-i18n.js';
import type { ReportModel } from './report-model.js';

/**
 * The full discrepancy list as CSV: UTF-8 with a BOM (so Excel shows Cyrillic), one row per item,
 * values masked. Russian Excel expects `;` as the separator, so the Russian file uses `;` and the
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
      i.kind,
      i.entity,
      i.severity,
      i.onecRef,
      i.crmId,
      i.field,
      i.onecValue,
      i.crmValue,
      i.detail,
      i.isNew ? t.yes : '',
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
