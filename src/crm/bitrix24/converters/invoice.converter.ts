import type { CrmInvoice } from '../../crm.types.js';
import {
  convertRow,
  dateTimeOf,
  idOf,
  linkOf,
  moneyOf,
  requiredText,
  textOf,
  type B24Row,
  type Converted,
} from './converter.util.js';

/** A `crm.item.list` smart invoice (entityTypeId 31) → CrmInvoice (read only; no stageSemanticId, sheet §7). */
export function toCrmInvoice(row: B24Row): CrmInvoice {
  return {
    id: idOf(row, 'id'),
    companyId: linkOf(row, 'companyId'),
    stageId: requiredText(row, 'stageId'),
    opportunity: moneyOf(row, 'opportunity'),
    currencyId: textOf(row, 'currencyId', 'RUB') || 'RUB',
    updatedTime: dateTimeOf(row, 'updatedTime'),
  };
}

export const convertInvoice = (row: unknown): Converted<CrmInvoice> =>
  convertRow('invoices', row, 'id', toCrmInvoice);
