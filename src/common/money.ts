/**
 * Money as integer kopecks (bigint) and two-digit decimal strings. Never floating point arithmetic:
 * a JSON number from 1C or Bitrix24 is turned into its shortest decimal text, then parsed as text.
 */

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Parses "150000.5", 150000.5, "-20000", "1e3" into kopecks, rounding half away from zero at the third digit. */
export function toKopecks(value: string | number | null | undefined): bigint {
  if (value === null || value === undefined || value === '') return 0n;
  let text = typeof value === 'number' ? numberToPlainString(value) : value.trim().replace(',', '.');
  if (/e/i.test(text)) text = numberToPlainString(Number(text));
  const m = DECIMAL.exec(text);
  if (!m) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  const sign = m[1] === '-' ? -1n : 1n;
  const frac = (m[3] ?? '').padEnd(3, '0');
  let kop = BigInt(m[2]) * 100n + BigInt(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) kop += 1n;
  return sign * kop;
}

/** Kopecks → "1520000.00" (negative: "-20000.00"). */
export function formatKopecks(kop: bigint): string {
  const neg = kop < 0n;
  const abs = neg ? -kop : kop;
  const rub = abs / 100n;
  const k = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}${rub}.${k}`;
}

/**
 * The amount as a CRM keeping `digits` decimals stores it, as a two-digit decimal string: with 0,
 * whole units rounded half away from zero ("1234.50" → "1235.00", "-0.50" → "-1.00").
 */
export function roundMoney(value: string | number | null | undefined, digits: 0 | 2): string {
  const kop = toKopecks(value);
  if (digits === 2) return formatKopecks(kop);
  const abs = kop < 0n ? -kop : kop;
  const whole = ((abs + 50n) / 100n) * 100n;
  return formatKopecks(kop < 0n ? -whole : whole);
}

/** Normalises any amount to the two-digit decimal string of the contract. */
export function toMoneyString(value: string | number | null | undefined): string {
  return formatKopecks(toKopecks(value));
}

function numberToPlainString(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite amount: ${n}`);
  // toFixed(6) avoids exponent notation for the magnitudes money has; trailing zeros are harmless.
  return Math.abs(n) < 1e21 ? n.toFixed(6) : String(n);
}
