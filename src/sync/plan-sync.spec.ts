import { defaultMapping } from '../mapping/default-mapping.js';
import {
  companyPushed,
  contact,
  counterparty,
  crmCompany,
  crmContact,
  crmDeal,
  crmRequisite,
  link,
  order,
} from '../../test/factories/sync-records.js';
import { planSync, requisitePreset } from './plan-sync.js';

const m = defaultMapping();
const now = new Date('2026-11-28T12:00:00Z');

describe('planSync: creates, unchanged, values on the way', () => {
  it('a new counterparty is created with normalised values and its requisite', () => {
    const p = planSync({
      entity: 'counterparties',
      records: [counterparty()],
      links: new Map(),
      crm: new Map(),
      mapping: m,
      now,
    });
    expect(p.create).toHaveLength(1);
    expect(p.create[0].fields).toEqual({
      title: 'ООО «Ромашка»',
      phones: ['+74951234567'],
      emails: ['info@romashka.ru'],
      originVersion: 'v1',
    });
    expect(p.create[0].requisite).toEqual({
      presetName: 'Организация',
      xmlId: 'cp-1',
      inn: '7707083893',
      kpp: '770701001',
      companyName: 'ООО «Ромашка»',
      fullName: 'Общество с ограниченной ответственностью «Ромашка»',
      ogrn: '1027700132195',
    });
    expect(p.create[0].pushedValues).toEqual(companyPushed);
  });

  it('an unchanged linked record plans no write', () => {
    const p = planSync({
      entity: 'counterparties',
      records: [counterparty({ dataVersion: 'v2' })],
      links: new Map([['cp-1', link('10', companyPushed)]]),
      crm: new Map([['10', crmCompany()]]),
      requisites: new Map([['10', crmRequisite()]]),
      mapping: m,
      now,
    });
    expect(p.update).toEqual([]);
    expect(p.unchanged).toMatchObject([{ ref: 'cp-1', crmId: '10', dataVersion: 'v2', requisiteId: '100' }]);
  });

  it('invalid phones/e-mails are reported and not pushed unless pushInvalid', () => {
    const rec = counterparty({ phones: ['12-34', '+7 495 123-45-67'], emails: ['not-an-email'] });
    const p = planSync({
      entity: 'counterparties',
      records: [rec],
      links: new Map(),
      crm: new Map(),
      mapping: m,
      now,
    });
    expect(p.invalid).toEqual([
      { ref: 'cp-1', field: 'phones', value: '12-34', pushed: false },
      { ref: 'cp-1', field: 'emails', value: 'not-an-email', pushed: false },
    ]);
    expect(p.create[0].fields).toMatchObject({ phones: ['+74951234567'], emails: [] });
    const m2 = defaultMapping();
    m2.counterparties.fields.emails.pushInvalid = true;
    const p2 = planSync({
      entity: 'counterparties',
      records: [rec],
      links: new Map(),
      crm: new Map(),
      mapping: m2,
      now,
    });
    expect(p2.create[0].fields).toMatchObject({ emails: ['not-an-email'] });
    expect(p2.invalid[1].pushed).toBe(true);
  });

  it('requisite preset by kind: legal, ИП (15-digit ОГРНИП), person', () => {
    const c = m.counterparties;
    expect(requisitePreset({ kind: 'legal', regNumber: '1027700132195' }, c)).toBe('Организация');
    expect(requisitePreset({ kind: 'person', regNumber: '304500116000157' }, c)).toBe('ИП');
    expect(requisitePreset({ kind: 'person', regNumber: '' }, c)).toBe('Физ. лицо');
  });
});

describe('planSync: deals and contacts', () => {
  const companyLinks = new Map([['cp-1', '10']]);
  it('deal title «Заказ клиента N от DD.MM.YYYY», stage from the status map, amount, category', () => {
    const p = planSync({
      entity: 'deals',
      records: [order()],
      links: new Map(),
      crm: new Map(),
      companyLinks,
      mapping: m,
      now,
    });
    expect(p.create[0].fields).toEqual({
      title: 'Заказ клиента 0000-000123 от 05.08.2026',
      opportunity: '1500.50',
      currencyId: 'RUB',
      companyId: '10',
      stageId: 'EXECUTING',
      comments: '',
      categoryId: '0',
    });
  });
  it('unposted orders, unmapped statuses and orders without a linked company are skipped with reasons', () => {
    const p = planSync({
      entity: 'deals',
      records: [
        order({ ref: 'a', posted: false }),
        order({ ref: 'b', status: 'Странный' }),
        order({ ref: 'c', counterpartyRef: 'cp-x' }),
      ],
      links: new Map(),
      crm: new Map(),
      companyLinks,
      mapping: m,
      now,
    });
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
    const p = planSync({
      entity: 'deals',
      records: [order({ deletionMark: true, dataVersion: 'v2' })],
      links: new Map([['o-1', link('30', {})]]),
      crm: new Map([['30', crmDeal()]]),
      companyLinks,
      mapping: m,
      now,
    });
    expect(p.update).toMatchObject([{ crmId: '30', fields: { stageId: 'LOSE' }, flag: true }]);
  });
  it('a deletion-marked counterparty is flagged, never deleted; one never synced is skipped', () => {
    const p = planSync({
      entity: 'counterparties',
      records: [counterparty({ deletionMark: true }), counterparty({ ref: 'cp-2', deletionMark: true })],
      links: new Map([['cp-1', link('10', companyPushed)]]),
      crm: new Map([['10', crmCompany()]]),
      mapping: m,
      now,
    });
    expect(p.flag).toMatchObject([{ ref: 'cp-1', crmId: '10' }]);
    expect(p.skip).toMatchObject([{ ref: 'cp-2', retry: false }]);
    expect(p.create).toEqual([]);
  });
  it('with a deletion marker, a deletion-marked company, contact or deal gets the marker field set (flag on success)', () => {
    const mk = defaultMapping();
    mk.deletionMarker = { field: 'ufCrmSverkaDeleted', value: 'Y' };
    const p = planSync({
      entity: 'counterparties',
      records: [counterparty({ deletionMark: true, dataVersion: 'v2' })],
      links: new Map([['cp-1', link('10', companyPushed)]]),
      crm: new Map([['10', crmCompany()]]),
      mapping: mk,
      now,
    });
    expect(p.flag).toEqual([]);
    expect(p.update).toEqual([
      expect.objectContaining({
        ref: 'cp-1',
        crmId: '10',
        dataVersion: 'v2',
        fields: { userFields: { ufCrmSverkaDeleted: 'Y' } },
        pushedValues: companyPushed,
        flag: true,
      }),
    ]);
    const d = planSync({
      entity: 'deals',
      records: [order({ deletionMark: true, dataVersion: 'v2' })],
      links: new Map([['o-1', link('30', {})]]),
      crm: new Map([['30', crmDeal()]]),
      companyLinks,
      mapping: mk,
      now,
    });
    expect(d.update[0].fields).toEqual({ stageId: 'LOSE', userFields: { ufCrmSverkaDeleted: 'Y' } });
  });
  it('an already flagged deletion-marked record stays flagged when re-read (a full run), with no write', () => {
    const p = planSync({
      entity: 'counterparties',
      records: [counterparty({ deletionMark: true, dataVersion: 'v2' })],
      links: new Map([
        [
          'cp-1',
          link('10', companyPushed, { dataVersion: 'v2', flaggedAt: new Date('2026-11-20T00:00:00Z') }),
        ],
      ]),
      crm: new Map([['10', crmCompany()]]),
      mapping: m,
      now,
    });
    expect(p.unchanged).toEqual([]);
    expect(p.update).toEqual([]);
    expect(p.flag).toMatchObject([{ ref: 'cp-1', renewed: true }]);
  });
  it('a flagged record live again in 1C gets its deletion marker cleared (and unflagged by the saved link)', () => {
    const mk = defaultMapping();
    mk.deletionMarker = { field: 'ufCrmSverkaDeleted', value: 'Y' };
    const input = {
      entity: 'counterparties' as const,
      records: [counterparty({ dataVersion: 'v3' })],
      links: new Map([['cp-1', link('10', companyPushed, { flaggedAt: new Date('2026-11-20T00:00:00Z') })]]),
      crm: new Map([['10', crmCompany()]]),
      requisites: new Map([['10', crmRequisite()]]),
      now,
    };
    const p = planSync({ ...input, mapping: mk });
    expect(p.update).toMatchObject([{ ref: 'cp-1', fields: { userFields: { ufCrmSverkaDeleted: '' } } }]);
    expect(p.update[0].flag).toBeUndefined();
    // Without a marker nothing is written: the unchanged link is saved, which clears the flag.
    const q = planSync({ ...input, mapping: m });
    expect(q.update).toEqual([]);
    expect(q.unchanged).toMatchObject([{ ref: 'cp-1' }]);
  });
  it('a contact whose company is not linked yet is skipped for a retry', () => {
    const p = planSync({
      entity: 'contacts',
      records: [contact({ ownerRef: 'cp-9' })],
      links: new Map(),
      crm: new Map(),
      companyLinks,
      mapping: m,
      now,
    });
    expect(p.skip).toMatchObject([{ ref: 'ct-1', retry: true }]);
  });
  it('a linked contact whose CRM record is gone is created again', () => {
    const p = planSync({
      entity: 'contacts',
      records: [contact()],
      links: new Map([['ct-1', link('20', {})]]),
      crm: new Map(),
      companyLinks,
      mapping: m,
      now,
    });
    expect(p.create).toHaveLength(1);
    void crmContact;
  });
});
