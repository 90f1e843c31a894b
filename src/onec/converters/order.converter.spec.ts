import { convertOrder } from './order.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertOrder (golden fixtures test/fixtures/onec/*/orders.*)', () => {
  it('converts the captured payload shapes (docs/protocols/onec-odata.md#customer-orders)', () => {
    const out = rowsOf('ok', 'orders').map(convertOrder);
    expect(out.every((c) => c.ok)).toBe(true);
    expect(out.map((c) => (c.ok ? c.record : null))).toEqual(fixture('ok', 'orders.expected.json'));
  });

  it('turns each malformed row into a MalformedRecord, never an exception', () => {
    const out = rowsOf('not-ok', 'orders').map(convertOrder);
    expect(out.map((c) => (c.ok ? null : c.malformed))).toEqual(fixture('not-ok', 'orders.expected.json'));
  });
});
