import type { CrmCompanyItem, CrmRequisiteRow, CrmSeed } from '../dataset/dataset.types.js';
import type { AmoField } from './amocrm-fields.js';
import { defaultUsers, type AmoCrmSeed, type AmoUser, type SeedRecord } from './amocrm-model.js';

/**
 * The CRM side of a generated data set (sim/dataset, Bitrix24-shaped: companies with `fm` phones and
 * e-mails, requisites with INN/KPP) as an amoCRM account: the same companies under the same ids (so
 * the data set's truth — duplicate clusters, look-alikes — names them unchanged), their INN, KPP and
 * full name in company text fields «ИНН», «КПП», «Полное наименование» (which the account's
 * administrator created before Sverka came), phones and e-mails in the predefined `PHONE`/`EMAIL`
 * fields, the responsible manager, and the creation times as Unix seconds.
 */

/** The company text fields the seeded account already has, with their ids. */
export const SEEDED_TAX_FIELDS: Omit<AmoField, 'entity_type'>[] = [
  taxField(280001, 'ИНН', 510),
  taxField(280002, 'КПП', 520),
  taxField(280003, 'Полное наименование', 530),
];
const [INN_FIELD, KPP_FIELD, FULL_NAME_FIELD] = SEEDED_TAX_FIELDS;

/** Bitrix24 `fm` value types → amoCRM multitext enum codes. */
const PHONE_ENUM: Record<string, string> = { WORK: 'WORK', MOBILE: 'MOB', FAX: 'FAX', HOME: 'HOME' };
const EMAIL_ENUM: Record<string, string> = { WORK: 'WORK', HOME: 'PRIV' };

export function amoSeedFromDataset(
  crm: Pick<CrmSeed, 'companies' | 'requisites'>,
  users: AmoUser[] = defaultUsers(),
): AmoCrmSeed {
  const requisiteOf = new Map<string, CrmRequisiteRow>();
  for (const r of crm.requisites)
    if (r.ENTITY_TYPE_ID === '4' && !requisiteOf.has(r.ENTITY_ID)) requisiteOf.set(r.ENTITY_ID, r);
  return {
    users,
    fields: { companies: SEEDED_TAX_FIELDS },
    companies: crm.companies.map((c) => ({
      id: c.id,
      ...companyFromBitrix24(c, requisiteOf.get(String(c.id)) ?? null, users),
    })),
  };
}

/**
 * One Bitrix24-shaped company (and its requisite) in the amoCRM write shape: name, responsible user,
 * creation fields, and `custom_fields_values` by `field_code` (PHONE, EMAIL) and `field_id` (tax fields).
 */
export function companyFromBitrix24(
  c: Omit<CrmCompanyItem, 'id'>,
  requisite: Partial<Pick<CrmRequisiteRow, 'RQ_INN' | 'RQ_KPP' | 'RQ_COMPANY_FULL_NAME'>> | null,
  users: AmoUser[] = defaultUsers(),
): SeedRecord {
  const user = (n: number) => users[Math.min(Math.max(n, 1), users.length) - 1].id;
  const values: Record<string, unknown>[] = [];
  const phones = c.fm.filter((f) => f.typeId === 'PHONE');
  const emails = c.fm.filter((f) => f.typeId === 'EMAIL');
  if (phones.length)
    values.push({
      field_code: 'PHONE',
      values: phones.map((f) => ({ value: f.value, enum_code: PHONE_ENUM[f.valueType] ?? 'OTHER' })),
    });
  if (emails.length)
    values.push({
      field_code: 'EMAIL',
      values: emails.map((f) => ({ value: f.value, enum_code: EMAIL_ENUM[f.valueType] ?? 'OTHER' })),
    });
  const text = (field: Omit<AmoField, 'entity_type'>, v: string | undefined) => {
    if (v) values.push({ field_id: field.id, values: [{ value: v }] });
  };
  text(INN_FIELD, requisite?.RQ_INN);
  text(KPP_FIELD, requisite?.RQ_KPP);
  text(FULL_NAME_FIELD, requisite?.RQ_COMPANY_FULL_NAME);
  const created = unixSeconds(c.createdTime);
  return {
    name: c.title,
    responsible_user_id: user(c.assignedById),
    created_by: user(c.createdBy),
    updated_by: user(c.updatedBy),
    created_at: created,
    updated_at: unixSeconds(c.updatedTime),
    ...(values.length ? { custom_fields_values: values } : {}),
  };
}

function unixSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function taxField(id: number, name: string, sort: number): Omit<AmoField, 'entity_type'> {
  return {
    id,
    name,
    code: null,
    type: 'text',
    sort,
    is_predefined: false,
    is_deletable: true,
    is_api_only: false,
    enums: null,
  };
}
