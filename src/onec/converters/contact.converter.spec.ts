import { convertContact } from './contact.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertContact (golden fixtures test/fixtures/onec/*/contacts.*)', () => {
  it('converts the captured payload shapes (docs/protocols/onec-odata.md#contact-persons)', () => {
    const out = rowsOf('ok', 'contacts').map(convertContact);
    expect(out.every((c) => c.ok)).toBe(true);
    expect(out.map((c) => (c.ok ? c.record : null))).toEqual(fixture('ok', 'contacts.expected.json'));
  });

  it('turns each malformed row into a MalformedRecord, never an exception', () => {
    const out = rowsOf('not-ok', 'contacts').map(convertContact);
    expect(out.map((c) => (c.ok ? null : c.malformed))).toEqual(fixture('not-ok', 'contacts.expected.json'));
  });
});
