import { convertRows } from './converter.util.js';
import { convertDeal, toCrmDeal } from './deal.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertDeal (golden fixtures test/fixtures/bitrix24/*/deals.*)', () => {
  it('converts the payload shapes of the protocol sheet', () => {
    const out = rowsOf('ok', 'deals').map(convertDeal);
    expect(out.map((c) => (c.ok ? c.record : c.malformed))).toEqual(fixture('ok', 'deals.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'deals');
    const read = convertRows('deals', rows, 'id', toCrmDeal);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'deals.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
