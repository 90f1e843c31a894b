import { RowError, isRow, lineNumber, str, type Row } from './odata-row.js';

/**
 * Phones and e-mails of a `КонтактнаяИнформация` tabular part, raw texts in row order
 * (docs/protocols/onec-odata.md#counterparties).
 */
export interface ContactInfo {
  phones: string[];
  emails: string[];
}

/**
 * As docs/protocols/onec-odata.md#counterparties fixes it: phone = `НомерТелефона` if not empty, else
 * `Представление`; e-mail = `АдресЭП` if not empty, else `Представление`. Rows of other kinds (`Адрес`, …)
 * are skipped; a missing property means no rows. Rows are taken in `LineNumber` order (ties: as sent). Empty
 * values are skipped.
 */
export function convertContactInfo(owner: Row, property = 'КонтактнаяИнформация'): ContactInfo {
  const rows = owner[property];
  const result: ContactInfo = { phones: [], emails: [] };
  if (rows === undefined || rows === null) return result;
  if (!Array.isArray(rows)) throw new RowError(`${property} is not an array`);
  const ordered = rows.map((r, i) => ({ r, i }));
  for (const { r } of ordered)
    if (!isRow(r)) throw new RowError(`${property} has a row that is not an object`);
  ordered.sort((a, b) => lineNumber(a.r as Row) - lineNumber(b.r as Row) || a.i - b.i);
  for (const { r } of ordered) {
    const row = r as Row;
    const kind = str(row, 'Тип');
    if (kind === 'Телефон') {
      const v = str(row, 'НомерТелефона') || str(row, 'Представление');
      if (v) result.phones.push(v);
    } else if (kind === 'АдресЭлектроннойПочты') {
      const v = str(row, 'АдресЭП') || str(row, 'Представление');
      if (v) result.emails.push(v);
    }
  }
  return result;
}
