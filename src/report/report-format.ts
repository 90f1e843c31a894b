import type { ReportLocale } from './report-i18n.js';

/**
 * Number and money formatting for the report, without floating point: money stays a decimal string.
 * Russian groups thousands with a no-break space and uses a decimal comma; English with commas. Pure.
 */

function group(digits: string, sep: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

export function formatInt(n: number, locale: ReportLocale): string {
  const neg = n < 0;
  const s = group(String(Math.abs(Math.trunc(n))), locale === 'ru' ? '\u00a0' : ',');
  return neg ? `−${s}` : s;
}

/** "1520000.00" → "1 520 000,00 ₽" (ru) / "1,520,000.00 RUB" (en). */
export function formatMoney(amount: string, locale: ReportLocale): string {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return amount;
  const frac = (m[3] ?? '').padEnd(2, '0').slice(0, 2);
  const int = group(m[2], locale === 'ru' ? '\u00a0' : ',');
  const sign = m[1] ? '−' : '';
  return locale === 'ru' ? `${sign}${int},${frac}\u00a0₽` : `${sign}${int}.${frac} RUB`;
}

/** +3 / −2 / 0; null → an em dash. */
export function formatDelta(delta: number | null, locale: ReportLocale): string {
  if (delta === null) return '—';
  if (delta === 0) return '0';
  return delta > 0 ? `+${formatInt(delta, locale)}` : formatInt(delta, locale);
}

/** 0.93 → "0.93" (en) / "0,93" (ru). */
export function formatScore(score: number, locale: ReportLocale): string {
  const s = (Math.round(score * 100) / 100).toFixed(2);
  return locale === 'ru' ? s.replace('.', ',') : s;
}

const MONEY_FIELDS = new Set(['opportunity', 'debt', 'amount']);

/** A discrepancy value for display: money fields read as money ("150000.00" → "150 000,00 ₽"), others as they are. */
export function displayValue(value: string, field: string, locale: ReportLocale): string {
  return MONEY_FIELDS.has(field) && /^-?\d+\.\d{2}$/.test(value) ? formatMoney(value, locale) : value;
}
