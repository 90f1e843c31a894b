import { convertRows } from './converter.util.js';
import { convertContact, toCrmContact } from './contact.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertContact (golden fixtures test/fixtures/bitrix24/*/contacts.*)', () => {
  it('converts the payload shapes of the protocol sheet', () => {
    const out = rowsOf('ok', 'contacts').map(convertContact);
    expect(out.map((c) => (c.ok ? c.record : c.malformed))).toEqual(fixture('ok', 'contacts.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'contacts');
    const read = convertRows('contacts', rows, 'id', toCrmContact);
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'contacts.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
