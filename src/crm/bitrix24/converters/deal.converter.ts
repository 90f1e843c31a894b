import type { CrmDeal, StageKind } from '../../crm.types.js';
import type { B24ReadContext } from '../bitrix24.types.js';
import {
  MalformedRow,
  dateTimeOf,
  externalOf,
  flaggedOf,
  idOf,
  linkOf,
  moneyOf,
  requiredText,
  textOf,
  type B24Row,
} from './converter.util.js';

/** `stageSemanticId` P/S/F → open/won/lost (docs/protocols/bitrix24.md, stages). */
export function stageKindOf(semantic: unknown): StageKind | null {
  if (semantic === undefined || semantic === null) return null;
  if (semantic === 'P') return 'open';
  if (semantic === 'S') return 'won';
  if (semantic === 'F') return 'lost';
  throw new MalformedRow(`stageSemanticId is not P, S or F: ${JSON.stringify(semantic)}`);
}

/** A `crm.item.get|list` deal (entityTypeId 2) → CrmDeal; `stageId` is the stage, `opportunity` the amount. */
export function toCrmDeal(row: B24Row, ctx: B24ReadContext = {}): CrmDeal {
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
    stage: requiredText(row, 'stageId'),
    stageKind: stageKindOf(row.stageSemanticId),
    amount: moneyOf(row, 'opportunity'),
    currency: textOf(row, 'currencyId', 'RUB') || 'RUB',
    companyId: linkOf(row, 'companyId'),
    comments: textOf(row, 'comments'),
    external: externalOf(row),
    updatedTime: dateTimeOf(row, 'updatedTime'),
    responsibleId: linkOf(row, 'assignedById'),
    flagged: flaggedOf(row, ctx),
  };
}
