import { convertRows } from './converter.util.js';
import { convertInvoice, toCrmInvoice } from './invoice.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertInvoice (golden fixtures test/fixtures/bitrix24/*/invoices.*)', () => {
  it('converts the payload shapes of the protocol sheet', () => {
    const out = rowsOf('ok', 'invoices').map(convertInvoice);
    expect(out.map((c) => (c.ok ? c.record : c.malformed))).toEqual(fixture('ok', 'invoices.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'invoices');
    const read = convertRows('invoices', rows, 'id', toCrmInvoice);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'invoices.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
