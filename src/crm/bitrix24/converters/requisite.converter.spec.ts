import { convertRows } from './converter.util.js';
import { toB24Requisite } from './requisite.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('toB24Requisite (golden fixtures test/fixtures/bitrix24/*/requisites.*)', () => {
  it('converts the payload shapes of docs/protocols/bitrix24.md', () => {
    const read = convertRows('requisites', rowsOf('ok', 'requisites'), 'ID', toB24Requisite);
    expect(read.malformed).toEqual([]);
    expect(read.records).toEqual(fixture('ok', 'requisites.expected.json'));
  });

  it('reports each malformed requisite as an unreadable part of its company', () => {
    const rows = rowsOf('not-ok', 'requisites');
    const read = convertRows('requisites', rows, 'ID', toB24Requisite);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'requisites.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
