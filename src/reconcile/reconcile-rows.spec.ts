import type { CrmCompany, CrmDeal, CrmRequisite } from '../crm/crm.types.js';
import { defaultMapping } from '../mapping/default-mapping.js';
import type { OneCCounterparty, OneCOrder } from '../onec/onec.types.js';
import { crmCompanyRow, expectedStage, onecCounterpartyRow, onecOrderRow } from './reconcile-rows.js';
import { diffSampled } from './reconcile-sample.js';

const mapping = defaultMapping();
const cp: OneCCounterparty = {
  ref: 'r1',
  dataVersion: 'v',
  deletionMark: false,
  code: '1',
  name: ' ООО «Ромашка» ',
  fullName: 'Общество «Ромашка»',
  kind: 'legal',
  inn: '7701234567',
  kpp: '770101001',
  regNumber: '1027700000000',
  phones: ['8 (495) 123-45-67', 'bad'],
  emails: ['B@X.RU', 'a@x.ru'],
};
const company: CrmCompany = {
  id: '10',
  title: 'ООО «Ромашка»',
  originatorId: 'sverka-1c',
  originId: 'r1',
  originVersion: null,
  updatedTime: '',
  assignedById: '1',
  phones: [{ id: '1', value: '+74951234567', valueType: 'WORK' }],
  emails: [
    { id: '2', value: 'a@x.ru', valueType: 'WORK' },
    { id: '3', value: 'b@x.ru', valueType: 'WORK' },
  ],
};
const requisite: CrmRequisite = {
  id: '5',
  companyId: '10',
  presetId: '1',
  name: 'r',
  xmlId: 'r1',
  inn: '7701234567',
  kpp: '770101001',
  companyName: 'x',
  fullName: 'Общество «Ромашка»',
  ogrn: '1027700000000',
};
const order: OneCOrder = {
  ref: 'o1',
  dataVersion: 'v',
  deletionMark: false,
  posted: true,
  number: '0000-000123',
  date: '2026-08-05T10:00:00',
  counterpartyRef: 'r1',
  amount: '1500.50',
  status: 'КВыполнению',
  comment: '',
};

describe('staging rows and the control-sample diff', () => {
  it('1C and CRM rows carry the same normalised values (trim, E.164, lower-case, sorted lists; unparseable values left out)', () => {
    const o = onecCounterpartyRow(cp, mapping);
    const c = crmCompanyRow(company, mapping);
    expect(o[2]).toBe(c[3]);
    expect(o[7]).toBe('+74951234567');
    expect(o[7]).toBe(c[4]);
    expect(o[8]).toBe('a@x.ru, b@x.ru');
    expect(o[8]).toBe(c[5]);
  });

  it('expected stage: the status map, the deletion stage for a marked order, null when unmapped', () => {
    expect(expectedStage(order, mapping)).toBe('EXECUTING');
    expect(expectedStage({ ...order, deletionMark: true }, mapping)).toBe('LOSE');
    expect(expectedStage({ ...order, status: 'Согласован' }, mapping)).toBeNull();
    expect(onecOrderRow({ ...order, posted: false }, mapping)[7]).toBeNull();
    expect(onecOrderRow(order, mapping)[4]).toBe('Заказ клиента 0000-000123 от 05.08.2026');
  });

  it('diffSampled finds no difference on equal records and names each differing field', () => {
    expect(diffSampled('counterparties', cp, company, mapping, { requisite })).toEqual([]);
    expect(
      diffSampled('counterparties', cp, { ...company, title: 'Другое' }, mapping, {
        requisite: { ...requisite, kpp: '770101002' },
      }),
    ).toEqual([
      { field: 'title', onecValue: 'ООО «Ромашка»', crmValue: 'Другое' },
      { field: 'kpp', onecValue: '770101001', crmValue: '770101002' },
    ]);
    const deal: CrmDeal = {
      id: '7',
      title: 'Заказ клиента 0000-000123 от 05.08.2026',
      categoryId: '0',
      stageId: 'EXECUTING',
      stageSemantic: 'P',
      opportunity: '1500.5',
      currencyId: 'RUB',
      companyId: '10',
      comments: '',
      updatedTime: '',
      originatorId: 'sverka-1c',
      originId: 'o1',
    };
    expect(diffSampled('deals', order, deal, mapping, { companyIdOfOwner: '10' })).toEqual([]);
    expect(
      diffSampled('deals', order, { ...deal, stageId: 'WON', opportunity: '1500.51' }, mapping, {
        companyIdOfOwner: '10',
      }),
    ).toEqual([
      { field: 'opportunity', onecValue: '1500.50', crmValue: '1500.51' },
      { field: 'stageId', onecValue: 'EXECUTING', crmValue: 'WON' },
    ]);
    // The owner has no link: its company is not judged (it is missing_in_crm itself).
    expect(
      diffSampled('deals', order, { ...deal, companyId: '99' }, mapping, { companyIdOfOwner: null }),
    ).toEqual([]);
  });
});
