import { simMapping } from '../../sim/mapping.js';
import {
  companyPushed,
  contact,
  counterparty,
  crmCompany,
  link,
  order,
  crmDeal,
  taxIds,
} from '../../test/factories/sync-records.js';
import { crmFieldValue, partyKind, planSync, type PlanInput } from './plan-sync.js';

const m = simMapping();
const now = new Date('2026-11-28T12:00:00Z');
const companies = (over: Partial<PlanInput<'counterparties'>>): PlanInput<'counterparties'> => ({
  entity: 'counterparties',
  records: [counterparty()],
  links: new Map(),
  crm: new Map(),
  mapping: m,
  crmFlags: false,
  now,
  ...over,
});

describe('planSync: creates, unchanged, values on the way', () => {
  it('a new counterparty is created with normalised values and its tax details', () => {
    const p = planSync(companies({}));
    expect(p.create).toHaveLength(1);
    expect(p.create[0].fields).toEqual({
      title: 'ООО «Ромашка»',
      sourceVersion: 'v1',
      phones: { add: ['+74951234567'], remove: [] },
      emails: { add: ['info@romashka.ru'], remove: [] },
      taxIds: taxIds(),
    });
    expect(p.create[0].pushedValues).toEqual(companyPushed);
  });

  it('an unchanged linked record plans no write', () => {
    const p = planSync(
      companies({
        records: [counterparty({ dataVersion: 'v2' })],
        links: new Map([['cp-1', link('10', companyPushed)]]),
        crm: new Map([['10', crmCompany()]]),
      }),
    );
    expect(p.update).toEqual([]);
    expect(p.unchanged).toMatchObject([{ ref: 'cp-1', crmId: '10', dataVersion: 'v2' }]);
  });

  it('invalid phones/e-mails are reported and not pushed unless pushInvalid', () => {
    const rec = counterparty({ phones: ['12-34', '+7 495 123-45-67'], emails: ['not-an-email'] });
    const p = planSync(companies({ records: [rec] }));
    expect(p.invalid).toEqual([
      { ref: 'cp-1', field: 'phones', value: '12-34', pushed: false },
      { ref: 'cp-1', field: 'emails', value: 'not-an-email', pushed: false },
    ]);
    expect(p.create[0].fields).toMatchObject({ phones: { add: ['+74951234567'] }, emails: { add: [] } });
    const m2 = simMapping();
    m2.counterparties.fields.emails.pushInvalid = true;
    const p2 = planSync(companies({ records: [rec], mapping: m2 }));
    expect(p2.create[0].fields).toMatchObject({ emails: { add: ['not-an-email'] } });
    expect(p2.invalid[1].pushed).toBe(true);
  });

  it('party kind: legal, ИП (15-digit ОГРНИП), person', () => {
    expect(partyKind({ kind: 'legal', regNumber: '1027700132195' })).toBe('legal');
    expect(partyKind({ kind: 'person', regNumber: '304500116000157' })).toBe('entrepreneur');
    expect(partyKind({ kind: 'person', regNumber: '' })).toBe('person');
  });

  it('a company without tax details of its own gets them; a person’s tax details are not taken as ours', () => {
    const p = planSync(
      companies({
        records: [counterparty({ dataVersion: 'v2' })],
        links: new Map([['cp-1', link('10', companyPushed)]]),
        crm: new Map([['10', crmCompany({ taxIds: { ...taxIds({ inn: '1111111111' }), owned: false } })]]),
      }),
    );
    expect(p.update).toHaveLength(1);
    expect(p.update[0].fields).toEqual({ taxIds: taxIds() });
  });

  it('a new title also renames the tax details; a CRM-kept tax field keeps its CRM value', () => {
    const mk = simMapping();
    mk.counterparties.fields.kpp = { owner: 'crm' };
    const p = planSync(
      companies({
        records: [counterparty({ dataVersion: 'v2', name: 'ООО «Ромашка-2»' })],
        links: new Map([['cp-1', link('10', companyPushed)]]),
        crm: new Map([['10', crmCompany({ taxIds: { ...taxIds({ kpp: '770799999' }), owned: true } })]]),
        mapping: mk,
      }),
    );
    expect(p.update[0].fields).toEqual({
      title: 'ООО «Ромашка-2»',
      sourceVersion: 'v2',
      taxIds: taxIds({ name: 'ООО «Ромашка-2»', kpp: '770799999' }),
    });
    expect(p.update[0].changes).toEqual([
      { field: 'title', crm: 'ООО «Ромашка»', onec: 'ООО «Ромашка-2»' },
      { field: 'taxIds', crm: 'ООО «Ромашка»', onec: 'ООО «Ромашка-2»' },
    ]);
  });
});

describe('planSync: people’s phones and e-mails are kept', () => {
  const linked = (phones: string[], pushedPhones: string, oneCPhones: string[]) =>
    planSync(
      companies({
        records: [counterparty({ dataVersion: 'v2', phones: oneCPhones })],
        links: new Map([['cp-1', link('10', { ...companyPushed, phones: pushedPhones })]]),
        crm: new Map([['10', crmCompany({ phones })]]),
      }),
    );

  it('a manager’s extra phone is not a difference: nothing is written', () => {
    const p = linked(['+74951234567', '+79161112233'], '+74951234567', ['8 (495) 123-45-67']);
    expect(p.update).toEqual([]);
    expect(p.crmEdits).toEqual([]);
  });

  it('1C changes its phone: the new one is added, the old one sync pushed is removed, the manager’s stays', () => {
    const p = linked(['+74951234567', '+79161112233'], '+74951234567', ['+7 495 765-43-21']);
    expect(p.update).toHaveLength(1);
    expect(p.update[0].fields).toEqual({
      phones: { add: ['+74957654321'], remove: ['+74951234567'] },
      sourceVersion: 'v2',
    });
    expect(p.update[0].pushedValues.phones).toBe('+74957654321');
  });

  it('a 1C phone a person deleted in the CRM is a CRM edit; owner onec puts it back', () => {
    const p = linked(['+79161112233'], '+74951234567', ['+74951234567']);
    expect(p.crmEdits).toEqual([{ ref: 'cp-1', crmId: '10', field: 'phones' }]);
    expect(p.update[0].fields).toMatchObject({ phones: { add: ['+74951234567'], remove: [] } });
  });
});

describe('planSync: deals and contacts', () => {
  const companyLinks = new Map([['cp-1', '10']]);
  const deals = (over: Partial<PlanInput<'deals'>>): PlanInput<'deals'> => ({
    entity: 'deals',
    records: [order()],
    links: new Map(),
    crm: new Map(),
    companyLinks,
    mapping: m,
    crmFlags: false,
    now,
    ...over,
  });

  it('deal title «Заказ клиента N от DD.MM.YYYY», stage from the status map, amount', () => {
    const p = planSync(deals({}));
    expect(p.create[0].fields).toEqual({
      title: 'Заказ клиента 0000-000123 от 05.08.2026',
      amount: '1500.50',
      currency: 'RUB',
      companyId: '10',
      stage: 'EXECUTING',
      comments: '',
    });
  });

  it('plans the amount as a CRM keeping whole units stores it (half away from zero)', () => {
    expect(planSync(deals({ amountDigits: 0 })).create[0].fields).toMatchObject({ amount: '1501.00' });
  });

  it('unposted orders, unmapped statuses and orders without a linked company are skipped with reasons', () => {
    const p = planSync(
      deals({
        records: [
          order({ ref: 'a', posted: false }),
          order({ ref: 'b', status: 'Странный' }),
          order({ ref: 'c', counterpartyRef: 'cp-x' }),
        ],
      }),
    );
    expect(p.skip.map((s) => [s.ref, s.retry])).toEqual([
      ['a', false],
      ['b', false],
      ['c', true],
    ]);
    expect(p.skip[0].reason).toMatch(/not posted/);
    expect(p.skip[1].reason).toMatch(/Странный/);
    expect(p.skip[2].reason).toMatch(/not synced yet/);
  });

  it('a deletion-marked order with a deal moves it to the deleted stage (flagged, not deleted)', () => {
    const p = planSync(
      deals({
        records: [order({ deletionMark: true, dataVersion: 'v2' })],
        links: new Map([['o-1', link('30', {})]]),
        crm: new Map([['30', crmDeal()]]),
      }),
    );
    expect(p.update).toMatchObject([{ crmId: '30', fields: { stage: 'LOSE' }, flag: true }]);
  });

  it('a deletion-marked counterparty is flagged, never deleted; one never synced is skipped', () => {
    const p = planSync(
      companies({
        records: [counterparty({ deletionMark: true }), counterparty({ ref: 'cp-2', deletionMark: true })],
        links: new Map([['cp-1', link('10', companyPushed)]]),
        crm: new Map([['10', crmCompany()]]),
      }),
    );
    expect(p.flag).toMatchObject([{ ref: 'cp-1', crmId: '10' }]);
    expect(p.skip).toMatchObject([{ ref: 'cp-2', retry: false }]);
    expect(p.create).toEqual([]);
  });

  it('where the CRM can carry the "deleted in 1C" flag, a deletion-marked company or deal gets it (flagged on success)', () => {
    const p = planSync(
      companies({
        records: [counterparty({ deletionMark: true, dataVersion: 'v2' })],
        links: new Map([['cp-1', link('10', companyPushed)]]),
        crm: new Map([['10', crmCompany()]]),
        crmFlags: true,
      }),
    );
    expect(p.flag).toEqual([]);
    expect(p.update).toEqual([
      expect.objectContaining({
        ref: 'cp-1',
        crmId: '10',
        dataVersion: 'v2',
        fields: { flagged: true },
        pushedValues: companyPushed,
        flag: true,
      }),
    ]);
    const d = planSync(
      deals({
        records: [order({ deletionMark: true, dataVersion: 'v2' })],
        links: new Map([['o-1', link('30', {})]]),
        crm: new Map([['30', crmDeal()]]),
        crmFlags: true,
      }),
    );
    expect(d.update[0].fields).toEqual({ stage: 'LOSE', flagged: true });
  });

  it('an already flagged deletion-marked record stays flagged when re-read (a full run), with no write', () => {
    const p = planSync(
      companies({
        records: [counterparty({ deletionMark: true, dataVersion: 'v2' })],
        links: new Map([
          [
            'cp-1',
            link('10', companyPushed, { dataVersion: 'v2', flaggedAt: new Date('2026-11-20T00:00:00Z') }),
          ],
        ]),
        crm: new Map([['10', crmCompany()]]),
      }),
    );
    expect(p.unchanged).toEqual([]);
    expect(p.update).toEqual([]);
    expect(p.flag).toMatchObject([{ ref: 'cp-1', renewed: true }]);
  });

  it('a flagged record live again in 1C gets its flag cleared where the CRM carries one; else only the link is unflagged', () => {
    const input = companies({
      records: [counterparty({ dataVersion: 'v3' })],
      links: new Map([['cp-1', link('10', companyPushed, { flaggedAt: new Date('2026-11-20T00:00:00Z') })]]),
      crm: new Map([['10', crmCompany()]]),
    });
    const p = planSync({ ...input, crmFlags: true });
    expect(p.update).toMatchObject([{ ref: 'cp-1', fields: { flagged: false } }]);
    expect(p.update[0].flag).toBeUndefined();
    const q = planSync(input);
    expect(q.update).toEqual([]);
    expect(q.unchanged).toMatchObject([{ ref: 'cp-1' }]);
  });

  it('a contact whose company is not linked yet is skipped for a retry; one whose CRM record is gone is created again', () => {
    const base = {
      entity: 'contacts' as const,
      crm: new Map(),
      companyLinks,
      mapping: m,
      crmFlags: false,
      now,
    };
    expect(
      planSync({ ...base, records: [contact({ ownerRef: 'cp-9' })], links: new Map() }).skip,
    ).toMatchObject([{ ref: 'ct-1', retry: true }]);
    const p = planSync({ ...base, records: [contact()], links: new Map([['ct-1', link('20', {})]]) });
    expect(p.create).toHaveLength(1);
    expect(p.create[0].fields).toMatchObject({
      lastName: 'Иванов',
      firstName: 'Иван',
      middleName: 'Иванович',
      companyId: '10',
    });
  });

  it('a link whose writes were cut short is completed, not judged as a person’s edit', () => {
    const mk = simMapping();
    mk.counterparties.fields.inn = { owner: 'both', strategy: 'manual' };
    const p = planSync(
      companies({
        records: [counterparty()],
        links: new Map([['cp-1', link('10', companyPushed, { dataVersion: null })]]),
        crm: new Map([['10', crmCompany({ taxIds: null })]]),
        mapping: mk,
      }),
    );
    expect(p.conflict).toEqual([]);
    expect(p.crmEdits).toEqual([]);
    expect(p.update[0].fields).toEqual({ taxIds: taxIds() });
  });
});

describe('crmFieldValue: what the CRM holds, as the planner compares it', () => {
  it("scalars and tax details as they are; phones only 1C's or pushed ones, a person's own left out", () => {
    const cur = crmCompany({
      title: 'Ромашка CRM',
      phones: ['8 (495) 765-43-21', '+74951234567', '+79990001122'],
    });
    expect(crmFieldValue('counterparties', m, 'title', cur, 'ООО «Ромашка»', 'ООО «Ромашка»')).toBe(
      'Ромашка CRM',
    );
    expect(crmFieldValue('counterparties', m, 'inn', cur, '7736050003', '7707083893')).toBe('7707083893');
    expect(
      crmFieldValue(
        'counterparties',
        m,
        'inn',
        crmCompany({ taxIds: { ...taxIds(), owned: false } }),
        '1',
        '1',
      ),
    ).toBe('');
    // 1C has +74957654321 now, sync pushed +74951234567 before; +79990001122 is a manager's own.
    expect(crmFieldValue('counterparties', m, 'phones', cur, '+74957654321', '+74951234567')).toBe(
      '+74951234567, +74957654321',
    );
  });
});

describe('planSync: a match is planned as a link', () => {
  const personCompany = crmCompany({
    id: '77',
    title: 'Ромашка (введено менеджером)',
    external: null,
    sourceVersion: null,
    phones: ['+74959999999'],
    emails: [],
    taxIds: { ...taxIds({ fullName: '', ogrn: '' }), owned: false },
  });

  it('writes the 1C-owned fields and full tax details, adds 1C phones and keeps the person’s', () => {
    const p = planSync(
      companies({
        matches: new Map([['cp-1', { crmId: '77', matchedTaxIds: { inn: '7707083893', kpp: '770701001' } }]]),
        crm: new Map([['77', personCompany]]),
      }),
    );
    expect(p.create).toEqual([]);
    expect(p.update).toEqual([]);
    expect(p.link).toHaveLength(1);
    const l = p.link[0];
    expect(l.crmId).toBe('77');
    expect(l.matchedTaxIds).toEqual({ inn: '7707083893', kpp: '770701001' });
    expect(l.fields).toEqual({
      title: 'ООО «Ромашка»',
      sourceVersion: 'v1',
      phones: { add: ['+74951234567'], remove: [] },
      emails: { add: ['info@romashka.ru'], remove: [] },
      taxIds: taxIds(),
    });
    expect(l.pushedValues).toEqual(companyPushed);
  });

  it('a match of a deletion-marked record is ignored (never matched)', () => {
    const p = planSync(
      companies({
        records: [counterparty({ deletionMark: true })],
        matches: new Map([['cp-1', { crmId: '77' }]]),
        crm: new Map([['77', personCompany]]),
      }),
    );
    expect(p.link).toEqual([]);
    expect(p.skip).toMatchObject([{ ref: 'cp-1', reason: 'deletion-marked in 1C and never synced' }]);
  });

  it('a manual field differing on the person’s record opens a conflict instead of overwriting', () => {
    const manual = {
      ...m,
      counterparties: {
        ...m.counterparties,
        fields: {
          ...m.counterparties.fields,
          title: { ...m.counterparties.fields.title, owner: 'both' as const, strategy: 'manual' as const },
        },
      },
    };
    const p = planSync(
      companies({
        mapping: manual,
        matches: new Map([['cp-1', { crmId: '77' }]]),
        crm: new Map([['77', personCompany]]),
      }),
    );
    expect(p.conflict).toEqual([
      {
        ref: 'cp-1',
        crmId: '77',
        field: 'title',
        onecValue: 'ООО «Ромашка»',
        crmValue: 'Ромашка (введено менеджером)',
      },
    ]);
    expect(p.link[0].fields).not.toHaveProperty('title');
  });
});
