import type { AmoCrmConfig } from './amocrm.config.js';
import type { AmoEntity } from './amocrm.constants.js';
import type { AmoFieldIds } from './amocrm.types.js';

/**
 * Which custom fields Sverka needs on an amoCRM account and what to do about them (docs/amocrm.md),
 * pure: found by code or name (exact, then ignoring case and spaces at the ends), created when missing
 * (text fields, the "deleted in 1C" checkbox), a problem when one exists with a type Sverka cannot use.
 * `PHONE` and `EMAIL` are the account's predefined multitext fields: never created, a problem when gone.
 */

/** A custom field as `GET /api/v4/{entity}/custom_fields` lists it. */
export interface AmoFieldRow {
  id: number;
  name: string;
  code: string | null;
  type: string;
}

type Role = keyof AmoFieldIds | 'phone' | 'email';

interface Wanted {
  role: Role;
  /** Name (or code) to look for; a new field gets it as its name. */
  name: string;
  /** Types accepted; the first is the type a new field gets. */
  types: string[];
  /** The mapping key that names it (for messages); null: amoCRM's predefined field. */
  setting: string | null;
}

const NOUN: Record<AmoEntity, string> = { companies: 'company', contacts: 'contact', leads: 'lead' };

export function wantedFields(entity: AmoEntity, config: AmoCrmConfig): Wanted[] {
  const f = config.fields;
  const out: Wanted[] = [{ role: 'key', name: f.key, types: ['text'], setting: 'amocrm.fields.key' }];
  if (entity === 'companies')
    out.push(
      { role: 'inn', name: f.inn, types: ['text'], setting: 'amocrm.fields.inn' },
      { role: 'kpp', name: f.kpp, types: ['text'], setting: 'amocrm.fields.kpp' },
      { role: 'ogrn', name: f.ogrn, types: ['text'], setting: 'amocrm.fields.ogrn' },
      { role: 'fullName', name: f.fullName, types: ['text', 'textarea'], setting: 'amocrm.fields.fullName' },
    );
  if (f.deleted !== null) out.push({ role: 'deleted', name: f.deleted, types: ['checkbox'], setting: 'amocrm.fields.deleted' });
  if (entity !== 'leads')
    out.push(
      { role: 'phone', name: 'PHONE', types: ['multitext'], setting: null },
      { role: 'email', name: 'EMAIL', types: ['multitext'], setting: null },
    );
  return out;
}

export interface FieldPlan {
  /** Ids found (the roles still missing are in `create`). */
  ids: Partial<AmoFieldIds>;
  create: { role: keyof AmoFieldIds; name: string; type: string }[];
  /** One sentence per field Sverka cannot use; any → the start is refused. */
  problems: string[];
}

export function planFields(entity: AmoEntity, existing: AmoFieldRow[], config: AmoCrmConfig): FieldPlan {
  const plan: FieldPlan = { ids: {}, create: [], problems: [] };
  const norm = (s: string) => s.trim().toLowerCase();
  for (const w of wantedFields(entity, config)) {
    const found =
      existing.find((x) => x.code !== null && x.code === w.name) ??
      existing.find((x) => x.name === w.name) ??
      existing.find((x) => norm(x.name) === norm(w.name));
    if (!found) {
      if (w.role === 'phone' || w.role === 'email')
        plan.problems.push(`the ${NOUN[entity]} field ${w.name} (amoCRM's predefined multitext field) is missing`);
      else plan.create.push({ role: w.role, name: w.name, type: w.types[0] });
      continue;
    }
    if (!w.types.includes(found.type)) {
      plan.problems.push(
        `the ${NOUN[entity]} field «${found.name}» (id ${found.id}) is of type ${found.type}; Sverka needs ${w.types.join(' or ')}` +
          (w.setting ? ` — change it in amoCRM or name another field in the mapping's ${w.setting}` : ''),
      );
      continue;
    }
    if (w.role !== 'phone' && w.role !== 'email') plan.ids[w.role] = found.id;
  }
  return plan;
}
