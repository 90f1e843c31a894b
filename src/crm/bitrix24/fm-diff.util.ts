import type { CrmMultiValue } from '../crm.types.js';

export type FmType = 'PHONE' | 'EMAIL';
export type FmUpdate = Record<string, { typeId: FmType; valueType?: string; value: string }>;

/** Normalised comparison form: phones by digits (with a leading +7/8 read alike), e-mails lower-case. */
export function fmKey(type: FmType, value: string): string {
  if (type === 'EMAIL') return value.trim().toLowerCase();
  let digits = value.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  return digits;
}

/**
 * The keyed `fm` update of sheet §3 that turns `current` into `desired` for one type: entries whose
 * normalised value is wanted stay untouched; the others are deleted by id (`value: ""`); missing values
 * are added as `n0`, `n1`… with `WORK` (numbering continues across types via `start`). Duplicated desired
 * values are added once; a current duplicate of a kept value is deleted.
 */
export function fmDiff(
  type: FmType,
  current: CrmMultiValue[],
  desired: string[],
  update: FmUpdate = {},
): FmUpdate {
  const wanted = new Map<string, string>();
  for (const v of desired) if (v.trim() && !wanted.has(fmKey(type, v))) wanted.set(fmKey(type, v), v);
  const kept = new Set<string>();
  for (const e of current) {
    const k = fmKey(type, e.value);
    if (wanted.has(k) && !kept.has(k)) kept.add(k);
    else if (e.id !== null) update[e.id] = { typeId: type, value: '' };
  }
  let n = Object.keys(update).filter((k) => k.startsWith('n')).length;
  for (const [k, v] of wanted)
    if (!kept.has(k)) update[`n${n++}`] = { typeId: type, valueType: 'WORK', value: v };
  return update;
}

/** The `fm` array of an add (sheet §3): phones then e-mails, `WORK`, without ids. */
export function fmAdd(
  phones: string[] | undefined,
  emails: string[] | undefined,
): { typeId: FmType; valueType: string; value: string }[] {
  const out: { typeId: FmType; valueType: string; value: string }[] = [];
  const seen = new Set<string>();
  for (const [type, values] of [
    ['PHONE', phones],
    ['EMAIL', emails],
  ] as const)
    for (const v of values ?? []) {
      const k = `${type}:${fmKey(type, v)}`;
      if (!v.trim() || seen.has(k)) continue;
      seen.add(k);
      out.push({ typeId: type, valueType: 'WORK', value: v });
    }
  return out;
}
