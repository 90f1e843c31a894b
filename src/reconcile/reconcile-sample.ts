import { roundMoney } from '../common/money.js';
import type { CrmCompany, CrmContact, CrmDeal } from '../crm/crm.types.js';
import type { Mapping } from '../mapping/mapping.types.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../onec/onec.types.js';
import { checkedFields } from './reconcile-compare.sql.js';
import {
  crmCompanyRow,
  crmContactRow,
  crmDealRow,
  onecContactRow,
  onecCounterpartyRow,
  onecOrderRow,
} from './reconcile-rows.js';

export interface FieldDiff {
  field: string;
  onecValue: string;
  crmValue: string;
}

const s = (v: unknown) => (v === null || v === undefined ? '' : String(v));
/** Phones and e-mails differ when a 1C value is missing in the CRM (people's extra values are not a difference). */
function differs(field: string, onec: string, crm: string): boolean {
  if (field !== 'phones' && field !== 'emails') return onec !== crm;
  const have = new Set(crm ? crm.split(', ') : []);
  return (onec ? onec.split(', ') : []).some((v) => !have.has(v));
}
const money = (v: unknown) => (v === null || v === undefined || v === '' ? '' : Number(v).toFixed(2));
/** The CRM's amount, or the 1C one when the CRM holds exactly that rounded to the decimals it keeps. */
const keptAs = (onec: string, crm: string, digits: 0 | 2) =>
  /^-?\d+\.\d\d$/.test(onec) && crm !== '' && roundMoney(onec, digits) === crm ? onec : crm;

/**
 * The control sample's field-by-field comparison of one record read singly from both systems, with
 * the same row mappers as the bulk path (so a difference between the two paths is a bulk-path bug).
 * `companyIdOfOwner` is the CRM company linked to the 1C owner/counterparty (from the link snapshot),
 * null when there is none or it is gone from the CRM; as in the bulk path, companyId is then not judged
 * (the owner is missing_in_crm itself).
 * Pure.
 */
export function diffSampled(
  entity: 'counterparties' | 'contacts' | 'deals',
  onec: OneCCounterparty | OneCContact | OneCOrder,
  crm: CrmCompany | CrmContact | CrmDeal,
  mapping: Mapping,
  extra: { companyIdOfOwner?: string | null; amountDigits?: 0 | 2 },
): FieldDiff[] {
  const fields = new Set(checkedFields(mapping[entity]));
  const ownerUnlinked = (ref: string | null) => ref !== null && !extra.companyIdOfOwner;
  let pairs: [string, string, string][];
  if (entity === 'counterparties') {
    const o = onecCounterpartyRow(onec as OneCCounterparty, mapping);
    const c = crmCompanyRow(crm as CrmCompany, mapping);
    // Tax details count only when they are the ones Sverka keeps for this record.
    const tax = (i: number) => (c[10] ? s(c[i]) : '');
    pairs = [
      ['title', s(o[2]), s(c[3])],
      ['fullName', s(o[3]), tax(8)],
      ['inn', s(o[4]), tax(6)],
      ['kpp', s(o[5]), tax(7)],
      ['ogrn', s(o[6]), tax(9)],
      ['phones', s(o[7]), s(c[4])],
      ['emails', s(o[8]), s(c[5])],
    ];
  } else if (entity === 'contacts') {
    const o = onecContactRow(onec as OneCContact, mapping);
    const c = crmContactRow(crm as CrmContact, mapping);
    pairs = [
      ['lastName', s(o[3]), s(c[4])],
      ['firstName', s(o[4]), s(c[5])],
      ['middleName', s(o[5]), s(c[6])],
      ['companyId', s(extra.companyIdOfOwner), ownerUnlinked((onec as OneCContact).ownerRef) ? '' : s(c[3])],
      ['phones', s(o[6]), s(c[7])],
      ['emails', s(o[7]), s(c[8])],
    ];
  } else {
    const o = onecOrderRow(onec as OneCOrder, mapping);
    const c = crmDealRow(crm as CrmDeal);
    pairs = [
      ['title', s(o[4]), s(c[4])],
      // A CRM keeping whole units holds the 1C amount rounded: that counts as the 1C amount.
      ['amount', money(o[5]), keptAs(money(o[5]), money(c[5]), extra.amountDigits ?? 2)],
      ['currency', mapping.deals.currency, s(c[6])],
      [
        'companyId',
        s(extra.companyIdOfOwner),
        ownerUnlinked((onec as OneCOrder).counterpartyRef) ? '' : s(c[3]),
      ],
    ];
    if (o[7] !== null) pairs.push(['stage', s(o[7]), s(c[7])]);
  }
  return pairs
    .filter(([f, ov, cv]) => (fields.has(f) || f === 'stage') && differs(f, ov, cv))
    .map(([field, onecValue, crmValue]) => ({ field, onecValue, crmValue }));
}
