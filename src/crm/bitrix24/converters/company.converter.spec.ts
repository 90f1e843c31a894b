import { convertRows } from './converter.util.js';
import { toCrmCompany } from './company.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('toCrmCompany (golden fixtures test/fixtures/bitrix24/*/companies.*)', () => {
  it('converts the payload shapes of docs/protocols/bitrix24.md', () => {
    const read = convertRows('companies', rowsOf('ok', 'companies'), 'id', (r) => toCrmCompany(r, { marker: { field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' } }));
    expect(read.malformed).toEqual([]);
    expect(read.records).toEqual(fixture('ok', 'companies.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'companies');
    const read = convertRows('companies', rows, 'id', (r) => toCrmCompany(r));
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'companies.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
