import type { ValuesChange } from '../crm.types.js';

/**
 * Phones and e-mails of an amoCRM record: the predefined multitext fields `PHONE` and `EMAIL`, each value
 * with an enum code (WORK, MOB, PRIV…; docs/protocols/amocrm.md#custom-fields). A write replaces the
 * field's whole list, so a change is applied to the record's current list: values to remove go, values
 * to add that it does not hold yet come last with `WORK`, every other value — a person's mobile, say —
 * stays with its code. Applying the result twice changes nothing more (safe to resend after a lost
 * answer). Pure.
 */

export type MultitextKind = 'PHONE' | 'EMAIL';

/** One value as read (its code, or only the option's id when an answer spells no code) and as written. */
export interface MultitextValue {
  value: string;
  enum_code?: string;
  enum_id?: number;
}

/** Comparison form: phones by digits (a leading 8 or 7 of 11 digits read alike), e-mails lower-case. */
export function valueKey(kind: MultitextKind, value: string): string {
  if (kind === 'EMAIL') return value.trim().toLowerCase();
  let digits = value.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('8')) digits = `7${digits.slice(1)}`;
  return digits;
}

/** The list to write, or null when the change leaves `current` as it is. */
export function applyValuesChange(
  kind: MultitextKind,
  current: readonly MultitextValue[],
  change: ValuesChange,
): MultitextValue[] | null {
  const adds = new Map<string, string>();
  for (const v of change.add) if (v.trim() && !adds.has(valueKey(kind, v))) adds.set(valueKey(kind, v), v);
  const removes = new Set(change.remove.map((v) => valueKey(kind, v)).filter((k) => !adds.has(k)));
  const out: MultitextValue[] = [];
  const held = new Set<string>();
  let changed = false;
  for (const c of current) {
    const k = valueKey(kind, c.value);
    if (removes.has(k)) {
      changed = true;
      continue;
    }
    held.add(k);
    out.push({ ...c });
  }
  for (const [k, v] of adds)
    if (!held.has(k)) {
      held.add(k);
      out.push({ value: v, enum_code: 'WORK' });
      changed = true;
    }
  return changed ? out : null;
}

/** The values of a new record: each once, `WORK`. */
export function newValues(kind: MultitextKind, values: readonly string[] | undefined): MultitextValue[] {
  return applyValuesChange(kind, [], { add: [...(values ?? [])], remove: [] }) ?? [];
}
