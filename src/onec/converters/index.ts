import type { OneCEntity, OneCRecordMap } from '../onec.types.js';
import { convertContact } from './contact.converter.js';
import { convertCounterparty } from './counterparty.converter.js';
import type { Converted } from './odata-row.js';
import { convertOrder } from './order.converter.js';

export { convertContact, convertCounterparty, convertOrder };
export { convertDebts } from './debt.converter.js';
export { convertContactInfo } from './contact-info.converter.js';
export type { Converted } from './odata-row.js';

/** The converter of each canonical entity. */
export const CONVERTERS: { [E in OneCEntity]: (raw: unknown) => Converted<OneCRecordMap[E]> } = {
  counterparties: convertCounterparty,
  contacts: convertContact,
  deals: convertOrder,
};
