import type { CrmCompany, CrmDeal } from '../crm/crm.types.js';
import { simMapping } from '../../sim/mapping.js';
import type { OneCCounterparty, OneCOrder } from '../onec/onec.types.js';
import { crmCompanyRow, expectedStage, onecCounterpartyRow, onecOrderRow } from './reconcile-rows.js';
import { diffSampled } from './reconcile-sample.js';

const mapping = simMapping();
const cp: OneCCounterparty = {
  ref: 'r1',
  dataVersion: 'v',
  deletionMark: false,
  code: '1',
  name: ' ООО «Ромашка» ',
  parentRef: null,
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
  external: { source: 'sverka-1c', key: 'r1' },
  sourceVersion: null,
  updatedTime: '',
  responsibleId: '1',
  phones: ['+74951234567'],
  emails: ['a@x.ru', 'b@x.ru'],
  taxIds: {
    kind: 'legal',
    inn: '7701234567',
    kpp: '770101001',
    ogrn: '1027700000000',
    fullName: 'Общество «Ромашка»',
    name: 'x',
    owned: true,
  },
  flagged: false,
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
    expect(diffSampled('counterparties', cp, company, mapping, {})).toEqual([]);
    expect(
      diffSampled(
        'counterparties',
        cp,
        { ...company, title: 'Другое', taxIds: { ...company.taxIds!, kpp: '770101002' } },
        mapping,
        {},
      ),
    ).toEqual([
      { field: 'title', onecValue: 'ООО «Ромашка»', crmValue: 'Другое' },
      { field: 'kpp', onecValue: '770101001', crmValue: '770101002' },
    ]);
    // A manager's extra phone is no difference; a 1C e-mail missing in the CRM is.
    expect(
      diffSampled(
        'counterparties',
        cp,
        { ...company, phones: ['+74951234567', '+79160000000'], emails: ['a@x.ru'] },
        mapping,
        {},
      ),
    ).toEqual([{ field: 'emails', onecValue: 'a@x.ru, b@x.ru', crmValue: 'a@x.ru' }]);
    // Tax details that are not Sverka's own do not count as the 1C record's.
    expect(
      diffSampled(
        'counterparties',
        cp,
        { ...company, taxIds: { ...company.taxIds!, owned: false } },
        mapping,
        {},
      ).map((d) => d.field),
    ).toEqual(['fullName', 'inn', 'kpp', 'ogrn']);
    const deal: CrmDeal = {
      id: '7',
      title: 'Заказ клиента 0000-000123 от 05.08.2026',
      stage: 'EXECUTING',
      stageKind: 'open',
      amount: '1500.5',
      currency: 'RUB',
      companyId: '10',
      comments: '',
      updatedTime: '',
      external: { source: 'sverka-1c', key: 'o1' },
      responsibleId: null,
      flagged: false,
    };
    expect(diffSampled('deals', order, deal, mapping, { companyIdOfOwner: '10' })).toEqual([]);
    expect(
      diffSampled('deals', order, { ...deal, stage: 'WON', amount: '1500.51' }, mapping, {
        companyIdOfOwner: '10',
      }),
    ).toEqual([
      { field: 'amount', onecValue: '1500.50', crmValue: '1500.51' },
      { field: 'stage', onecValue: 'EXECUTING', crmValue: 'WON' },
    ]);
    // The owner has no link: its company is not judged (it is missing_in_crm itself).
    expect(
      diffSampled('deals', order, { ...deal, companyId: '99' }, mapping, { companyIdOfOwner: null }),
    ).toEqual([]);
    // A CRM keeping whole units holds 1500.50 as 1501: no difference; 1500 is one, shown as it is.
    const whole = { companyIdOfOwner: '10', amountDigits: 0 as const };
    expect(diffSampled('deals', order, { ...deal, amount: '1501.00' }, mapping, whole)).toEqual([]);
    expect(diffSampled('deals', order, { ...deal, amount: '1500.00' }, mapping, whole)).toEqual([
      { field: 'amount', onecValue: '1500.50', crmValue: '1500.00' },
    ]);
  });
});
