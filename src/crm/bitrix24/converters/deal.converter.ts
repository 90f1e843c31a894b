import type { CrmDeal } from '../../crm.types.js';
import {
  MalformedRow,
  convertRow,
  dateTimeOf,
  idOf,
  linkOf,
  moneyOf,
  requiredText,
  textOf,
  textOrNull,
  type B24Row,
  type Converted,
} from './converter.util.js';

/** A `crm.item.get|list` deal (entityTypeId 2) → CrmDeal. `stageSemanticId` P/S/F → `stageSemantic`. */
export function toCrmDeal(row: B24Row): CrmDeal {
  const sem = row.stageSemanticId;
  if (sem !== undefined && sem !== null && sem !== 'P' && sem !== 'S' && sem !== 'F')
    throw new MalformedRow(`stageSemanticId is not P, S or F: ${JSON.stringify(sem)}`);
  const cat = row.categoryId;
  if (
    cat !== undefined &&
    cat !== null &&
    !(typeof cat === 'number' && Number.isInteger(cat) && cat >= 0) &&
    !(typeof cat === 'string' && /^\d+$/.test(cat))
  )
    throw new MalformedRow(`categoryId is not a pipeline id: ${JSON.stringify(cat)}`);
  return {
    id: idOf(row, 'id'),
    title: textOf(row, 'title'),
    categoryId: cat === undefined || cat === null ? '0' : String(cat),
    stageId: requiredText(row, 'stageId'),
    stageSemantic: (sem ?? null) as CrmDeal['stageSemantic'],
    opportunity: moneyOf(row, 'opportunity'),
    currencyId: textOf(row, 'currencyId', 'RUB') || 'RUB',
    companyId: linkOf(row, 'companyId'),
    comments: textOf(row, 'comments'),
    originatorId: textOrNull(row, 'originatorId'),
    originId: textOrNull(row, 'originId'),
    updatedTime: dateTimeOf(row, 'updatedTime'),
  };
}

export const convertDeal = (row: unknown): Converted<CrmDeal> => convertRow('deals', row, 'id', toCrmDeal);
