import { convertRows } from './converter.util.js';
import { toCrmContact } from './contact.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('toCrmContact (golden fixtures test/fixtures/bitrix24/*/contacts.*)', () => {
  it('converts the payload shapes of docs/protocols/bitrix24.md', () => {
    const read = convertRows('contacts', rowsOf('ok', 'contacts'), 'id', (r) => toCrmContact(r, { marker: { field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' } }));
    expect(read.malformed).toEqual([]);
    expect(read.records).toEqual(fixture('ok', 'contacts.expected.json'));
  });

  it('turns each malformed row into a CrmMalformedRecord, never an exception or a silent skip', () => {
    const rows = rowsOf('not-ok', 'contacts');
    const read = convertRows('contacts', rows, 'id', (r) => toCrmContact(r));
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', 'contacts.expected.json'));
    expect(read.malformed).toHaveLength(rows.length);
  });
});
