import { ERR, type ItemError } from './amocrm-errors.js';

/**
 * Custom fields of the fake amoCRM account, pure: the field model, the predefined fields of a new
 * account, and how `custom_fields_values` of a write turn into stored values and back into the read
 * shape (docs/protocols/amocrm.md#custom-fields).
 */

export type AmoEntity = 'companies' | 'contacts' | 'leads';
export const AMO_ENTITIES: readonly AmoEntity[] = ['companies', 'contacts', 'leads'];

/** Field types amoCRM knows; a write of another type is refused. */
export const FIELD_TYPES = [
  'text',
  'numeric',
  'checkbox',
  'select',
  'multiselect',
  'multitext',
  'date',
  'url',
  'textarea',
  'radiobutton',
  'streetaddress',
  'smart_address',
  'birthday',
  'legal_entity',
  'date_time',
  'price',
  'category',
  'items',
  'tracking_data',
  'linked_entity',
  'org_legal_name',
  'monetary',
  'chained_list',
  'file',
  'payer',
  'supplier',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface AmoEnum {
  id: number;
  value: string;
  sort: number;
}

export interface AmoField {
  id: number;
  name: string;
  code: string | null;
  type: FieldType;
  entity_type: AmoEntity;
  sort: number;
  is_predefined: boolean;
  is_deletable: boolean;
  is_api_only: boolean;
  enums: AmoEnum[] | null;
}

/** One stored value: text, number or boolean, and for enum types the option it names. */
export interface StoredValue {
  value: string | number | boolean | Record<string, unknown>;
  enum_id?: number;
  enum_code?: string;
}

/** Enum codes of the predefined multitext fields. */
export const PHONE_ENUMS = ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'] as const;
export const EMAIL_ENUMS = ['WORK', 'PRIV', 'OTHER'] as const;

/**
 * The fields a new account has: phones and e-mails on companies and contacts (multitext, `PHONE` and
 * `EMAIL`), the web site and address of a company, the position of a contact. Ids come from `nextId`.
 */
export function predefinedFields(nextId: () => number): AmoField[] {
  const enums = (codes: readonly string[]) =>
    codes.map((value, i) => ({ id: nextId(), value, sort: (i + 1) * 2 }));
  const field = (
    entity: AmoEntity,
    name: string,
    code: string,
    type: FieldType,
    sort: number,
    codes?: readonly string[],
  ): AmoField => ({
    id: nextId(),
    name,
    code,
    type,
    entity_type: entity,
    sort,
    is_predefined: true,
    is_deletable: false,
    is_api_only: false,
    enums: codes ? enums(codes) : null,
  });
  return [
    field('companies', 'Телефон', 'PHONE', 'multitext', 4, PHONE_ENUMS),
    field('companies', 'Email', 'EMAIL', 'multitext', 6, EMAIL_ENUMS),
    field('companies', 'Web', 'WEB', 'url', 8),
    field('companies', 'Адрес', 'ADDRESS', 'textarea', 10),
    field('contacts', 'Должность', 'POSITION', 'text', 2),
    field('contacts', 'Телефон', 'PHONE', 'multitext', 4, PHONE_ENUMS),
    field('contacts', 'Email', 'EMAIL', 'multitext', 6, EMAIL_ENUMS),
  ];
}

/**
 * Reads the `custom_fields_values` of one write item: each entry names a field by `field_id` or
 * `field_code`; `values: null` clears the field; otherwise the values are checked against the field's
 * type. Returns the fields to set (`null` = clear) or the errors, with paths as amoCRM reports them
 * (`custom_fields_values.0.field_id`, `custom_fields_values.2.values.0.enum_code`).
 */
export function readFieldWrites(
  raw: unknown,
  fields: readonly AmoField[],
  base = 'custom_fields_values',
): { set: Map<number, StoredValue[] | null>; errors: ItemError[] } {
  const set = new Map<number, StoredValue[] | null>();
  const errors: ItemError[] = [];
  if (raw === undefined || raw === null) return { set, errors };
  if (!Array.isArray(raw)) return { set, errors: [ERR.type(base, 'array')] };
  raw.forEach((entry, i) => {
    const at = `${base}.${i}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      errors.push(ERR.type(at, 'array'));
      return;
    }
    const e = entry as Record<string, unknown>;
    let field: AmoField | undefined;
    if (e.field_id !== undefined && e.field_id !== null) {
      field = fields.find((f) => f.id === Number(e.field_id));
      if (!field) {
        errors.push(ERR.choice(`${at}.field_id`));
        return;
      }
    } else if (typeof e.field_code === 'string') {
      field = fields.find((f) => f.code !== null && f.code === e.field_code);
      if (!field) {
        errors.push(ERR.choice(`${at}.field_code`));
        return;
      }
    } else {
      errors.push(ERR.blank(`${at}.field_id`));
      return;
    }
    if (e.values === null) {
      set.set(field.id, null);
      return;
    }
    if (!Array.isArray(e.values)) {
      errors.push(ERR.type(`${at}.values`, 'array'));
      return;
    }
    const values: StoredValue[] = [];
    e.values.forEach((v, j) => {
      const stored = readValue(field, v, `${at}.values.${j}`, errors);
      if (stored) values.push(stored);
    });
    set.set(field.id, values.length ? values : null);
  });
  return { set, errors };
}

function readValue(field: AmoField, raw: unknown, at: string, errors: ItemError[]): StoredValue | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(ERR.type(at, 'array'));
    return null;
  }
  const v = raw as Record<string, unknown>;
  const value = v.value;
  const enumOf = (): AmoEnum | undefined | null => {
    const enums = field.enums ?? [];
    if (v.enum_id !== undefined && v.enum_id !== null) return enums.find((x) => x.id === Number(v.enum_id));
    const code = v.enum_code ?? v.enum;
    if (code !== undefined && code !== null) return enums.find((x) => x.value === String(code));
    return null;
  };
  switch (field.type) {
    case 'multitext': {
      if (typeof value !== 'string' && typeof value !== 'number') {
        errors.push(ERR.type(`${at}.value`, 'string'));
        return null;
      }
      const en = enumOf();
      if (en === undefined) {
        errors.push(ERR.choice(`${at}.${v.enum_id !== undefined ? 'enum_id' : 'enum_code'}`));
        return null;
      }
      // No enum given: the field's first option (WORK), as the account's interface does.
      const chosen = en ?? field.enums![0];
      return { value: String(value), enum_id: chosen.id, enum_code: chosen.value };
    }
    case 'select':
    case 'radiobutton':
    case 'multiselect': {
      const en =
        enumOf() ?? (field.enums ?? []).find((x) => value !== undefined && x.value === String(value));
      if (!en) {
        errors.push(ERR.choice(`${at}.${v.enum_id !== undefined ? 'enum_id' : 'value'}`));
        return null;
      }
      return { value: en.value, enum_id: en.id };
    }
    case 'numeric':
    case 'price':
    case 'monetary': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n)) {
        errors.push(ERR.type(`${at}.value`, 'numeric'));
        return null;
      }
      // Read back as a string, as amoCRM's examples show numeric values.
      return { value: String(value).trim() };
    }
    case 'checkbox':
      if (typeof value !== 'boolean') {
        errors.push(ERR.type(`${at}.value`, 'bool'));
        return null;
      }
      return { value };
    case 'date':
    case 'date_time':
    case 'birthday':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        errors.push(ERR.type(`${at}.value`, 'int'));
        return null;
      }
      return { value };
    case 'text':
    case 'textarea':
    case 'url':
    case 'streetaddress':
      if (typeof value !== 'string' && typeof value !== 'number') {
        errors.push(ERR.type(`${at}.value`, 'string'));
        return null;
      }
      return { value: String(value) };
    default:
      // Composite types (legal_entity, smart_address, …) are kept as sent: not modelled further.
      if (value === undefined) {
        errors.push(ERR.blank(`${at}.value`));
        return null;
      }
      return { value: value as StoredValue['value'] };
  }
}

/** The read shape of a record's stored values: `null` when it has none (never `[]`). */
export function fieldValuesOut(
  stored: ReadonlyMap<number, StoredValue[]>,
  fields: readonly AmoField[],
): Record<string, unknown>[] | null {
  if (stored.size === 0) return null;
  const out: Record<string, unknown>[] = [];
  for (const f of fields) {
    const values = stored.get(f.id);
    if (!values) continue;
    out.push({
      field_id: f.id,
      field_name: f.name,
      field_code: f.code,
      field_type: f.type,
      values: values.map((v) =>
        f.type === 'multitext'
          ? { value: v.value, enum_id: v.enum_id, enum_code: v.enum_code }
          : v.enum_id !== undefined
            ? { value: v.value, enum_id: v.enum_id }
            : { value: v.value },
      ),
    });
  }
  return out;
}

/** The read shape of a field (GET …/custom_fields). */
export function fieldOut(f: AmoField, accountId: number, self: string): Record<string, unknown> {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    account_id: accountId,
    code: f.code,
    sort: f.sort,
    is_api_only: f.is_api_only,
    enums: f.enums ? f.enums.map((e) => ({ ...e })) : null,
    group_id: null,
    required_statuses: [],
    is_deletable: f.is_deletable,
    is_predefined: f.is_predefined,
    entity_type: f.entity_type,
    remind: null,
    _links: { self: { href: self } },
  };
}
