import { convertRows } from './converter.util.js';
import { toCrmInvoice } from './invoice.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('toCrmInvoice (golden fixtures test/fixtures/bitrix24/*/invoices.*)', () => {
  it('converts the payload shapes of docs/protocols/bitrix24.md', () => {
    const read = convertRows('invoices', rowsOf('ok', 'invoices'), 'id', toCrmInvoice);
    expect(read.malformed).toEqual([]);
    expect(read.records).toEqual(fixture('ok', 'invoices.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'invoices');
    const read = convertRows('invoices', rows, 'id', toCrmInvoice);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'invoices.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
