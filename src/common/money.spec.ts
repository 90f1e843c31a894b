import { formatKopecks, roundMoney, toKopecks, toMoneyString } from './money.js';

describe('money in kopecks', () => {
  it.each([
    [150000.5, 15000050n],
    ['150000.5', 15000050n],
    ['-20000', -2000000n],
    ['0,10', 10n],
    [0.1 + 0.2, 30n],
    ['1e3', 100000n],
    ['12.345', 1235n],
    ['12.344', 1234n],
    [null, 0n],
    ['', 0n],
  ])('%p → %p kopecks', (v, k) => expect(toKopecks(v as string | number | null)).toBe(k));

  it('formats with two digits and a sign', () => {
    expect(formatKopecks(15000050n)).toBe('150000.50');
    expect(formatKopecks(-5n)).toBe('-0.05');
    expect(formatKopecks(0n)).toBe('0.00');
  });

  it('sums exactly where floats drift', () => {
    let sum = 0n;
    for (let i = 0; i < 1000; i++) sum += toKopecks(0.1);
    expect(formatKopecks(sum)).toBe('100.00');
    expect(toMoneyString('130000.5')).toBe('130000.50');
  });

  it('rejects text that is not an amount', () => {
    expect(() => toKopecks('сто рублей')).toThrow(RangeError);
    expect(() => toKopecks(Number.NaN)).toThrow(RangeError);
  });

  it.each([
    ['1234.56', 2, '1234.56'],
    ['1234.49', 0, '1234.00'],
    ['1234.50', 0, '1235.00'],
    ['-0.50', 0, '-1.00'],
    ['-1234.49', 0, '-1234.00'],
    [0.5, 0, '1.00'],
  ] as const)('rounds %s to the %s decimals a CRM keeps → %s', (v, digits, out) => {
    expect(roundMoney(v, digits)).toBe(out);
  });
});
