import { convertRows } from './converter.util.js';
import { convertCompany, toCrmCompany } from './company.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertCompany (golden fixtures test/fixtures/bitrix24/*/companies.*)', () => {
  it('converts the payload shapes of the protocol sheet', () => {
    const out = rowsOf('ok', 'companies').map(convertCompany);
    expect(out.map((c) => (c.ok ? c.record : c.malformed))).toEqual(fixture('ok', 'companies.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'companies');
    const read = convertRows('companies', rows, 'id', toCrmCompany);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'companies.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
