import type { DiscrepancyKind } from '../common/vocabulary.js';

/**
 * Change of each discrepancy kind against the previous finished run: kinds present in either run,
 * zero changes omitted. Without a previous run, the delta is every current count. Pure.
 */
export function discrepancyDelta(
  current: Partial<Record<DiscrepancyKind, number>>,
  previous: Partial<Record<DiscrepancyKind, number>> | null,
): Partial<Record<DiscrepancyKind, number>> {
  const out: Partial<Record<DiscrepancyKind, number>> = {};
  const kinds = new Set([...Object.keys(current), ...Object.keys(previous ?? {})] as DiscrepancyKind[]);
  for (const k of [...kinds].sort()) {
    const d = (current[k] ?? 0) - (previous?.[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}
