import type { CrmEntity } from '../crm.types.js';

/**
 * Links to a record's card in the account's web interface, for reports: `https://<account>/companies/detail/<id>`,
 * `/contacts/detail/<id>`, `/leads/detail/<id>` (docs/protocols/amocrm.md#cards). amoCRM has no invoices
 * Sverka reads: no link. Pure.
 */
const CARD_PATH: Partial<Record<CrmEntity, string>> = {
  companies: 'companies/detail',
  contacts: 'contacts/detail',
  deals: 'leads/detail',
};

/** `https://example.amocrm.ru` from AMOCRM_BASE_URL (no trailing slash); null when it is not a URL. */
export function accountBaseOf(baseUrl: string): string | null {
  try {
    const u = new URL(baseUrl);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return null;
  }
}

/** The card of one record, or null (an id that is not a positive integer, or an entity without cards). */
export function recordUrlOf(accountBase: string, entity: CrmEntity, id: string): string | null {
  const path = CARD_PATH[entity];
  if (!path || !/^[1-9]\d{0,18}$/.test(id)) return null;
  return `${accountBase}/${path}/${id}`;
}
