import { convertRows } from './converter.util.js';
import { convertRequisite, toCrmRequisite } from './requisite.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertRequisite (golden fixtures test/fixtures/bitrix24/*/requisites.*)', () => {
  it('converts the payload shapes of the protocol sheet', () => {
    const out = rowsOf('ok', 'requisites').map(convertRequisite);
    expect(out.map((c) => (c.ok ? c.record : c.malformed))).toEqual(
      fixture('ok', 'requisites.expected.json'),
    );
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'requisites');
    const read = convertRows('requisites', rows, 'ID', toCrmRequisite);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'requisites.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
