import { convertRows } from './converter.util.js';
import { toCrmDeal } from './deal.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('toCrmDeal (golden fixtures test/fixtures/bitrix24/*/deals.*)', () => {
  it('converts the payload shapes of docs/protocols/bitrix24.md', () => {
    const read = convertRows('deals', rowsOf('ok', 'deals'), 'id', (r) => toCrmDeal(r, { marker: { field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' } }));
    expect(read.malformed).toEqual([]);
    expect(read.records).toEqual(fixture('ok', 'deals.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'deals');
    const read = convertRows('deals', rows, 'id', (r) => toCrmDeal(r));
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'deals.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
