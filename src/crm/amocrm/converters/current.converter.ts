import type { AmoCurrent, AmoRow } from '../amocrm.types.js';
import { middleNameOf } from './contact.converter.js';
import { customFieldsOf, embeddedIdOf, multitextOf, textOf } from './converter.util.js';

/**
 * What the writer keeps of a record it has read (AmoCurrent): its phones and e-mails with their codes
 * (a write replaces the whole list), the parts of a contact's name (its `name` is written whole) and
 * the linked company (unlinked before another is linked), a lead's price (not written again when an
 * amount rounds to it). Throws MalformedRow like the converters.
 */
export function toAmoCurrent(row: AmoRow): AmoCurrent {
  const cf = customFieldsOf(row);
  const lastName = textOf(row, 'last_name');
  const firstName = textOf(row, 'first_name');
  return {
    phones: multitextOf(cf, 'PHONE'),
    emails: multitextOf(cf, 'EMAIL'),
    lastName,
    firstName,
    middleName: middleNameOf(textOf(row, 'name'), lastName, firstName),
    companyId: embeddedIdOf(row, 'companies'),
    price: typeof row.price === 'number' ? row.price : null,
  };
}
