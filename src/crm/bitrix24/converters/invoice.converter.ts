import type { CrmInvoice } from '../../crm.types.js';
import { dateTimeOf, idOf, linkOf, moneyOf, requiredText, textOf, type B24Row } from './converter.util.js';

/** A `crm.item.list` smart invoice (entityTypeId 31) → CrmInvoice (read only). */
export function toCrmInvoice(row: B24Row): CrmInvoice {
  return {
    id: idOf(row, 'id'),
    companyId: linkOf(row, 'companyId'),
    stage: requiredText(row, 'stageId'),
    amount: moneyOf(row, 'opportunity'),
    currency: textOf(row, 'currencyId', 'RUB') || 'RUB',
    updatedTime: dateTimeOf(row, 'updatedTime'),
  };
}
