import type { CrmDeal } from '../../crm.types.js';
import type { AmoReadContext, AmoRow } from '../amocrm.types.js';
import {
  MalformedRow,
  cfChecked,
  customFieldsOf,
  embeddedIdOf,
  externalOf,
  idOf,
  optionalIdOf,
  textOf,
  unixTimeOf,
  wholeAmountOf,
} from './converter.util.js';

/**
 * A lead of `GET /api/v4/leads` → CrmDeal: `name` is the title, `price` (whole currency units) the amount,
 * the stage is the status as the mapping names it — its name, or "142"/"143" for won and lost (a status
 * the account did not list is its id, of no known kind); the company is `_embedded.companies[0]`. A lead
 * has no comments and no currency of its own (the mapping's currency is reported).
 */
export function toCrmDeal(row: AmoRow, ctx: AmoReadContext): CrmDeal {
  const cf = customFieldsOf(row);
  const status = row.status_id;
  if (typeof status !== 'number' || !Number.isInteger(status) || status <= 0)
    throw new MalformedRow(`status_id is not a status id: ${JSON.stringify(status)}`);
  const stage = ctx.stageOf?.(status) ?? null;
  return {
    id: idOf(row),
    title: textOf(row, 'name'),
    stage: stage?.key ?? String(status),
    stageKind: stage?.kind ?? null,
    amount: wholeAmountOf(row, 'price'),
    currency: ctx.currency ?? 'RUB',
    companyId: embeddedIdOf(row, 'companies'),
    comments: '',
    external: externalOf(cf, ctx.fields.key),
    updatedTime: unixTimeOf(row, 'updated_at'),
    responsibleId: optionalIdOf(row, 'responsible_user_id'),
    flagged: cfChecked(cf, ctx.fields.deleted),
  };
}
