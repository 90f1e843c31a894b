import type { CrmCompany, CrmContact, CrmDeal, CrmTaxIds } from '../../src/crm/crm.types.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../../src/onec/onec.types.js';
import type { PlanLink } from '../../src/sync/plan-sync.js';

/** Small canonical records for planner specs. */
export function counterparty(over: Partial<OneCCounterparty> = {}): OneCCounterparty {
  return {
    ref: 'cp-1',
    dataVersion: 'v1',
    deletionMark: false,
    code: '0001',
    name: ' ООО «Ромашка» ',
    parentRef: null,
    fullName: 'Общество с ограниченной ответственностью «Ромашка»',
    kind: 'legal',
    inn: '7707083893',
    kpp: '770701001',
    regNumber: '1027700132195',
    phones: ['8 (495) 123-45-67'],
    emails: [' Info@Romashka.RU '],
    ...over,
  };
}

export function contact(over: Partial<OneCContact> = {}): OneCContact {
  return {
    ref: 'ct-1',
    dataVersion: 'v1',
    deletionMark: false,
    code: '1',
    lastName: 'Иванов',
    firstName: 'Иван',
    middleName: 'Иванович',
    position: 'Директор',
    ownerRef: 'cp-1',
    phones: [],
    emails: [],
    ...over,
  };
}

export function order(over: Partial<OneCOrder> = {}): OneCOrder {
  return {
    ref: 'o-1',
    dataVersion: 'v1',
    deletionMark: false,
    posted: true,
    number: '0000-000123',
    date: '2026-08-05T10:00:00',
    counterpartyRef: 'cp-1',
    amount: '1500.50',
    status: 'КВыполнению',
    comment: '',
    ...over,
  };
}

export function crmCompany(over: Partial<CrmCompany> = {}): CrmCompany {
  return {
    id: '10',
    title: 'ООО «Ромашка»',
    external: { source: 'sverka-1c', key: 'cp-1' },
    sourceVersion: 'v1',
    updatedTime: '2026-11-01T10:00:00+03:00',
    phones: ['+74951234567'],
    emails: ['info@romashka.ru'],
    taxIds: { ...taxIds(), owned: true },
    responsibleId: '1',
    flagged: false,
    ...over,
  };
}

/** The tax details sync keeps for the counterparty of `counterparty()`. */
export function taxIds(over: Partial<CrmTaxIds> = {}): CrmTaxIds {
  return {
    kind: 'legal',
    inn: '7707083893',
    kpp: '770701001',
    ogrn: '1027700132195',
    fullName: 'Общество с ограниченной ответственностью «Ромашка»',
    name: 'ООО «Ромашка»',
    ...over,
  };
}

export function crmContact(over: Partial<CrmContact> = {}): CrmContact {
  return {
    id: '20',
    lastName: 'Иванов',
    firstName: 'Иван',
    middleName: 'Иванович',
    companyId: '10',
    external: { source: 'sverka-1c', key: 'ct-1' },
    sourceVersion: 'v1',
    updatedTime: '2026-11-01T10:00:00+03:00',
    phones: [],
    emails: [],
    responsibleId: '1',
    flagged: false,
    ...over,
  };
}

export function crmDeal(over: Partial<CrmDeal> = {}): CrmDeal {
  return {
    id: '30',
    title: 'Заказ клиента 0000-000123 от 05.08.2026',
    stage: 'EXECUTING',
    stageKind: 'open',
    amount: '1500.50',
    currency: 'RUB',
    companyId: '10',
    comments: '',
    external: { source: 'sverka-1c', key: 'o-1' },
    updatedTime: '2026-11-01T10:00:00+03:00',
    responsibleId: '1',
    flagged: false,
    ...over,
  };
}

/** A link as sync leaves it after pushing `values`. */
export function link(crmId: string, values: Record<string, string>, over: Partial<PlanLink> = {}): PlanLink {
  return {
    crmId,
    dataVersion: 'v1',
    pushedValues: values,
    flaggedAt: null,
    onecSeenAt: new Date('2026-11-01T06:00:00Z'),
    ...over,
  };
}

export const companyPushed = {
  title: 'ООО «Ромашка»',
  fullName: 'Общество с ограниченной ответственностью «Ромашка»',
  inn: '7707083893',
  kpp: '770701001',
  ogrn: '1027700132195',
  phones: '+74951234567',
  emails: 'info@romashka.ru',
};
