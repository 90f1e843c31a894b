import { convertCounterparty } from './counterparty.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertCounterparty (golden fixtures test/fixtures/onec/*/counterparties.*)', () => {
  it('converts the captured payload shapes (docs/protocols/onec-odata.md#counterparties)', () => {
    const out = rowsOf('ok', 'counterparties').map(convertCounterparty);
    expect(out.every((c) => c.ok)).toBe(true);
    expect(out.map((c) => (c.ok ? c.record : null))).toEqual(fixture('ok', 'counterparties.expected.json'));
  });

  it('turns each malformed row into a MalformedRecord, never an exception', () => {
    const out = rowsOf('not-ok', 'counterparties').map(convertCounterparty);
    expect(out.map((c) => (c.ok ? null : c.malformed))).toEqual(
      fixture('not-ok', 'counterparties.expected.json'),
    );
  });
});
