import type { ValuesChange } from '../crm.types.js';
import type { FmEntry, FmType } from './bitrix24.types.js';

export type FmUpdate = Record<string, { typeId: FmType; valueType?: string; value: string }>;

/** Normalised comparison form: phones by digits (with a leading +7/8 read alike), e-mails lower-case. */
export function fmKey(type: FmType, value: string): string {
  if (type === 'EMAIL') return value.trim().toLowerCase();
  let digits = value.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  return digits;
}

/**
 * The keyed `fm` update (docs/protocols/bitrix24.md, phones and e-mails) that applies `change` to the
 * record's `current` entries of one type: entries holding a value to remove are deleted by id
 * (`value: ""`); values to add that the record does not hold yet are added as `n0`, `n1`… with `WORK`
 * (numbering continues across types via the keys already in `update`). Every other entry — a person's
 * number, say — is left alone. Applying it twice changes nothing more: it is safe to rebuild after a
 * lost answer.
 */
export function fmChange(type: FmType, current: FmEntry[], change: ValuesChange, update: FmUpdate = {}): FmUpdate {
  const adds = new Map<string, string>();
  for (const v of change.add) if (v.trim() && !adds.has(fmKey(type, v))) adds.set(fmKey(type, v), v);
  const removes = new Set(change.remove.map((v) => fmKey(type, v)).filter((k) => !adds.has(k)));
  const held = new Set<string>();
  for (const e of current) {
    if (e.typeId !== type) continue;
    const k = fmKey(type, e.value);
    if (removes.has(k) && e.id !== null) update[e.id] = { typeId: type, value: '' };
    else held.add(k);
  }
  let n = Object.keys(update).filter((k) => k.startsWith('n')).length;
  for (const [k, v] of adds) if (!held.has(k)) update[`n${n++}`] = { typeId: type, valueType: 'WORK', value: v };
  return update;
}

/** The `fm` array of an add: phones then e-mails, `WORK`, without ids, each value once. */
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
