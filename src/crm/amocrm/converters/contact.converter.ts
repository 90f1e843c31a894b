import type { CrmContact } from '../../crm.types.js';
import type { AmoReadContext, AmoRow } from '../amocrm.types.js';
import {
  cfChecked,
  customFieldsOf,
  embeddedIdOf,
  externalOf,
  idOf,
  multitextOf,
  optionalIdOf,
  textOf,
  unixTimeOf,
} from './converter.util.js';

/**
 * A contact of `GET /api/v4/contacts` → CrmContact: `last_name`, `first_name`; amoCRM has no patronymic
 * of its own, so it is what `name` («Фамилия Имя Отчество», as Sverka writes it) holds after the last
 * and first names. A contact a person entered with `name` alone (no first or last name) keeps that
 * name whole as its last name, so reports and duplicate checks still see it. The company is
 * `_embedded.companies[0]`.
 */
export function toCrmContact(row: AmoRow, ctx: AmoReadContext): CrmContact {
  const cf = customFieldsOf(row);
  const name = textOf(row, 'name');
  const onlyName = !textOf(row, 'last_name').trim() && !textOf(row, 'first_name').trim();
  const lastName = onlyName ? name.trim() : textOf(row, 'last_name');
  const firstName = textOf(row, 'first_name');
  return {
    id: idOf(row),
    lastName,
    firstName,
    middleName: onlyName ? '' : middleNameOf(name, lastName, firstName),
    companyId: embeddedIdOf(row, 'companies'),
    external: externalOf(cf, ctx.fields.key),
    sourceVersion: null,
    updatedTime: unixTimeOf(row, 'updated_at'),
    phones: multitextOf(cf, 'PHONE').map((v) => v.value),
    emails: multitextOf(cf, 'EMAIL').map((v) => v.value),
    responsibleId: optionalIdOf(row, 'responsible_user_id'),
    flagged: cfChecked(cf, ctx.fields.deleted),
  };
}

/** «Фамилия Имя Отчество» → «Отчество» when the name starts with the last and first names; else ''. */
export function middleNameOf(name: string, lastName: string, firstName: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const head = [lastName, firstName].map((w) => w.trim()).filter(Boolean);
  if (head.length === 0 || words.length <= head.length || head.some((w, i) => words[i] !== w)) return '';
  return words.slice(head.length).join(' ');
}

/** The `name` Sverka writes: «Фамилия Имя Отчество» of the parts that are there. */
export function fullNameOf(lastName: string, firstName: string, middleName: string): string {
  return [lastName, firstName, middleName].map((w) => w.trim()).filter(Boolean).join(' ');
}
