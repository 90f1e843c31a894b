import type { CrmCompany, CrmContact, CrmDeal, CrmRequisite } from '../../src/crm/crm.types.js';
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
    originatorId: 'sverka-1c',
    originId: 'cp-1',
    originVersion: 'v1',
    updatedTime: '2026-11-01T10:00:00+03:00',
    phones: [{ id: '1', value: '+74951234567', valueType: 'WORK' }],
    emails: [{ id: '2', value: 'info@romashka.ru', valueType: 'WORK' }],
    assignedById: '1',
    ...over,
  };
}

export function crmRequisite(over: Partial<CrmRequisite> = {}): CrmRequisite {
  return {
    id: '100',
    companyId: '10',
    presetId: '1',
    name: 'Реквизит',
    xmlId: 'cp-1',
    inn: '7707083893',
    kpp: '770701001',
    companyName: 'ООО «Ромашка»',
    fullName: 'Общество с ограниченной ответственностью «Ромашка»',
    ogrn: '1027700132195',
    ...over,
  };
}

export function crmContact(over: Partial<CrmContact> = {}): CrmContact {
  return {
    id: '20',
    lastName: 'Иванов',
    name: 'Иван',
    secondName: 'Иванович',
    companyId: '10',
    originatorId: 'sverka-1c',
    originId: 'ct-1',
    originVersion: 'v1',
    updatedTime: '2026-11-01T10:00:00+03:00',
    phones: [],
    emails: [],
    ...over,
  };
}

export function crmDeal(over: Partial<CrmDeal> = {}): CrmDeal {
  return {
    id: '30',
    title: 'Заказ клиента 0000-000123 от 05.08.2026',
    categoryId: '0',
    stageId: 'EXECUTING',
    stageSemantic: 'P',
    opportunity: '1500.50',
    currencyId: 'RUB',
    companyId: '10',
    comments: '',
    originatorId: 'sverka-1c',
    originId: 'o-1',
    updatedTime: '2026-11-01T10:00:00+03:00',
    ...over,
  };
}

/** A link as sync leaves it after pushing `values`. */
export function link(crmId: string, values: Record<string, string>, over: Partial<PlanLink> = {}): PlanLink {
  return {
    crmId,
    dataVersion: 'v1',
    pushedValues: values,
    crmRequisiteId: null,
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
