import { convertDebts } from './debt.converter.js';
import { fixture, rowsOf } from './fixtures.util.js';

describe('convertDebts (golden fixtures test/fixtures/onec/*/balance.*)', () => {
  it('sums Dr − Cr per counterparty in kopecks: the captured balance rows give 130000.50', () => {
    const { records, malformed } = convertDebts(rowsOf('ok', 'balance'));
    expect(malformed).toEqual([]);
    expect(records).toEqual(fixture('ok', 'balance.expected.json'));
  });

  it('never uses float arithmetic: 0.1 + 0.2 style sums stay exact', () => {
    const ref = 'a348aa8c-d629-11e5-0a9b-000c295e30eb';
    const row = (dr: number | string) => ({
      ExtDimension1: ref,
      ExtDimension1_Type: 'StandardODATA.Catalog_Контрагенты',
      СуммаBalanceDr: dr,
      СуммаBalanceCr: 0,
    });
    expect(convertDebts([row(0.1), row(0.2), row('0.3')]).records).toEqual([
      { counterpartyRef: ref, amount: '0.60' },
    ]);
  });

  it('reports unreadable rows and leaves them out', () => {
    expect(convertDebts(rowsOf('not-ok', 'balance'))).toEqual(fixture('not-ok', 'balance.expected.json'));
  });
});
