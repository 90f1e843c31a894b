import type { CrmCompany } from '../../crm.types.js';
import type { AmoReadContext, AmoRow } from '../amocrm.types.js';
import {
  cfChecked,
  cfText,
  customFieldsOf,
  externalOf,
  idOf,
  multitextOf,
  optionalIdOf,
  partyKindOf,
  textOf,
  unixTimeOf,
} from './converter.util.js';

/**
 * A company of `GET /api/v4/companies` → CrmCompany: `name` is the title; the tax details are the text
 * fields «ИНН», «КПП», «ОГРН», «Полное наименование» — Sverka's own (`owned`) when the company carries a
 * 1C key, a person's otherwise (null when it has none of them); the party kind follows from the numbers.
 */
export function toCrmCompany(row: AmoRow, ctx: AmoReadContext): CrmCompany {
  const cf = customFieldsOf(row);
  const f = ctx.fields;
  const title = textOf(row, 'name');
  const external = externalOf(cf, f.key);
  const inn = cfText(cf, f.inn).trim();
  const kpp = cfText(cf, f.kpp).trim();
  const ogrn = cfText(cf, f.ogrn).trim();
  const fullName = cfText(cf, f.fullName);
  const any = inn || kpp || ogrn || fullName;
  return {
    id: idOf(row),
    title,
    external,
    sourceVersion: null,
    updatedTime: unixTimeOf(row, 'updated_at'),
    phones: multitextOf(cf, 'PHONE').map((v) => v.value),
    emails: multitextOf(cf, 'EMAIL').map((v) => v.value),
    taxIds:
      external || any
        ? { kind: partyKindOf(inn, ogrn), inn, kpp, ogrn, fullName, name: title, owned: external !== null }
        : null,
    responsibleId: optionalIdOf(row, 'responsible_user_id'),
    flagged: cfChecked(cf, f.deleted),
  };
}
