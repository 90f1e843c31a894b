import type { CrmEntity } from '../crm.types.js';
import { ENTITY_TYPE_ID } from './bitrix24.constants.js';

/**
 * Links to a record's card on a Bitrix24 portal, for reports. The portal's address is the webhook
 * URL without its `rest/<user_id>/<secret>/` tail (the secret never reaches a link). Card paths are
 * the portal's default CRM paths: `/crm/company/details/<id>/`, `/crm/contact/details/<id>/`,
 * `/crm/deal/details/<id>/`, and for a smart-process item such as a smart invoice
 * `/crm/type/<entityTypeId>/details/<id>/`. Pure.
 */

const CARD_PATH: Record<CrmEntity, string> = {
  companies: 'crm/company/details',
  contacts: 'crm/contact/details',
  deals: 'crm/deal/details',
  invoices: `crm/type/${ENTITY_TYPE_ID.invoices}/details`,
};

/** `https://portal.bitrix24.ru/` from `https://portal.bitrix24.ru/rest/1/secret/`; null when the URL has no `/rest/` part. */
export function portalBaseOf(webhookUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(webhookUrl);
  } catch {
    return null;
  }
  const at = u.pathname.indexOf('/rest/');
  if (at < 0) return null;
  return `${u.origin}${u.pathname.slice(0, at)}/`;
}

/** The card of one record, or null for an id that is not a positive integer. */
export function cardUrl(portalBase: string, entity: CrmEntity, id: string): string | null {
  if (!/^[1-9]\d{0,18}$/.test(id)) return null;
  return `${portalBase}${CARD_PATH[entity]}/${id}/`;
}
