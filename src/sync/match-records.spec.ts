import { crmContact, taxIds } from '../../test/factories/sync-records.js';
import type { CrmCompanyCandidate } from '../crm/crm.types.js';
import { matchContacts, matchCounterparties, taxIdsMatch, type OneCParty } from './match-records.js';

const company = (
  id: string,
  tax: { inn: string; kpp: string }[],
  over: Partial<CrmCompanyCandidate> = {},
): CrmCompanyCandidate => ({
  id,
  title: `Компания ${id}`,
  external: null,
  taxIds: tax.map((t) => taxIds(t)),
  responsibleId: '1',
  ...over,
});
const party = (ref: string, inn: string, kpp = ''): OneCParty => ({ ref, inn, kpp });
const decide = (
  records: OneCParty[],
  crm: CrmCompanyCandidate[],
  onecSide = records,
  onAmbiguous: 'hold' | 'create' = 'hold',
) => matchCounterparties({ records, onecSide, crm, onAmbiguous });

describe('taxIdsMatch: INN, and KPP for a legal entity when the CRM has one', () => {
  it('compares digits only', () => {
    expect(taxIdsMatch('7707083893', '770701001', { inn: ' 7707 083893 ', kpp: '770701001' })).toBe(true);
  });
  it('a CRM KPP that differs is another branch', () => {
    expect(taxIdsMatch('7707083893', '770701001', { inn: '7707083893', kpp: '770702001' })).toBe(false);
  });
  it('a CRM requisite without KPP matches', () => {
    expect(taxIdsMatch('7707083893', '770701001', { inn: '7707083893', kpp: '' })).toBe(true);
  });
  it('a 12-digit INN ignores KPP', () => {
    expect(taxIdsMatch('500100732259', '', { inn: '500100732259', kpp: '123456789' })).toBe(true);
  });
  it('an INN that is not 10 or 12 digits never matches', () => {
    expect(taxIdsMatch('12345', '', { inn: '12345', kpp: '' })).toBe(false);
  });
});

describe('matchCounterparties', () => {
  it('one unowned company with the same INN and KPP on each side → link, with the matched tax ids', () => {
    expect(
      decide(
        [party('a', '7707083893', '770701001')],
        [company('10', [{ inn: '7707083893', kpp: '770701001' }])],
      ),
    ).toEqual([
      {
        ref: 'a',
        action: 'link',
        crmId: '10',
        matchedTaxIds: { inn: '7707083893', kpp: '770701001' },
        reason: 'same INN 7707083893 and KPP 770701001',
      },
    ]);
  });

  it('a CRM requisite without KPP is matched', () => {
    const [d] = decide(
      [party('a', '7707083893', '770701001')],
      [company('10', [{ inn: '7707083893', kpp: '' }])],
    );
    expect(d).toMatchObject({ action: 'link', crmId: '10', matchedTaxIds: { inn: '7707083893', kpp: '' } });
  });

  it('another KPP is not matched: created', () => {
    expect(
      decide(
        [party('a', '7707083893', '770701001')],
        [company('10', [{ inn: '7707083893', kpp: '770702001' }])],
      ),
    ).toEqual([{ ref: 'a', action: 'create' }]);
  });

  it('two CRM companies with the INN → review naming both', () => {
    const [d] = decide(
      [party('a', '7707083893', '770701001')],
      [
        company('10', [{ inn: '7707083893', kpp: '' }]),
        company('11', [{ inn: '7707083893', kpp: '770701001' }]),
      ],
    );
    expect(d).toEqual({
      ref: 'a',
      action: 'review',
      reason: '2 CRM companies have INN 7707083893',
      candidates: [
        {
          crmId: '10',
          title: 'Компания 10',
          inn: '7707083893',
          kpp: null,
          reason: 'same INN 7707083893 (no KPP in the CRM)',
        },
        {
          crmId: '11',
          title: 'Компания 11',
          inn: '7707083893',
          kpp: '770701001',
          reason: 'same INN 7707083893 and KPP 770701001',
        },
      ],
    });
  });

  it('two live unlinked 1C counterparties matching the one CRM company → review for both', () => {
    const rs = [party('a', '7707083893', '770701001'), party('b', '7707083893', '770701001')];
    const ds = decide(rs, [company('10', [{ inn: '7707083893', kpp: '' }])]);
    expect(ds.map((d) => [d.ref, d.action])).toEqual([
      ['a', 'review'],
      ['b', 'review'],
    ]);
    expect(ds[0]).toMatchObject({ reason: '2 1C counterparties match the CRM company with INN 7707083893' });
  });

  it('1C branches with different KPPs each link to their own CRM branch', () => {
    const rs = [party('a', '7707083893', '770701001'), party('b', '7707083893', '770702001')];
    const ds = decide(rs, [
      company('10', [{ inn: '7707083893', kpp: '770701001' }]),
      company('11', [{ inn: '7707083893', kpp: '770702001' }]),
    ]);
    expect(ds).toMatchObject([
      { ref: 'a', action: 'link', crmId: '10' },
      { ref: 'b', action: 'link', crmId: '11' },
    ]);
  });

  it('the 1C side counts records outside this chunk', () => {
    const [d] = decide(
      [party('a', '7707083893')],
      [company('10', [{ inn: '7707083893', kpp: '' }])],
      [party('a', '7707083893'), party('z', '7707083893')],
    );
    expect(d.action).toBe('review');
  });

  it('a company another integration owns is never a candidate', () => {
    expect(
      decide(
        [party('a', '7707083893')],
        [company('10', [{ inn: '7707083893', kpp: '' }], { external: { source: 'other', key: 'x' } })],
      ),
    ).toEqual([{ ref: 'a', action: 'create' }]);
  });

  it('onAmbiguous create: created instead of held', () => {
    const [d] = decide(
      [party('a', '7707083893')],
      [company('10', [{ inn: '7707083893', kpp: '' }]), company('11', [{ inn: '7707083893', kpp: '' }])],
      undefined,
      'create',
    );
    expect(d).toEqual({ ref: 'a', action: 'create' });
  });

  it('no INN → created', () => {
    expect(decide([party('a', '')], [company('10', [{ inn: '', kpp: '' }])])).toEqual([
      { ref: 'a', action: 'create' },
    ]);
  });
});

describe('matchContacts', () => {
  const person = (
    ref: string,
    over: Partial<{ lastName: string; emails: string[]; phones: string[] }> = {},
  ) => ({
    ref,
    companyId: '10',
    lastName: 'Иванов',
    emails: ['ivanov@romashka.ru'],
    phones: [],
    ...over,
  });
  const unowned = (id: string, over: Parameters<typeof crmContact>[0] = {}) =>
    crmContact({ id, external: null, ...over });

  it('same last name (ё/е, case) and e-mail in the company → link', () => {
    const [d] = matchContacts({
      records: [person('p', { lastName: 'Алёшин' })],
      crm: [unowned('20', { lastName: 'АЛЕШИН', emails: ['Ivanov@Romashka.ru'] })],
      onAmbiguous: 'hold',
    });
    expect(d).toEqual({ ref: 'p', action: 'link', crmId: '20', reason: 'same last name and e-mail' });
  });

  it('same phone in another form → link', () => {
    const [d] = matchContacts({
      records: [person('p', { emails: [], phones: ['+74951234567'] })],
      crm: [unowned('20', { phones: ['8 (495) 123-45-67'] })],
      onAmbiguous: 'hold',
    });
    expect(d).toMatchObject({ action: 'link', crmId: '20', reason: 'same last name and phone' });
  });

  it('same last name only, or a contact of another company → created', () => {
    expect(
      matchContacts({
        records: [person('p')],
        crm: [
          unowned('20', { emails: ['other@x.ru'] }),
          unowned('21', { companyId: '99', emails: ['ivanov@romashka.ru'] }),
        ],
        onAmbiguous: 'hold',
      }),
    ).toEqual([{ ref: 'p', action: 'create' }]);
  });

  it('two CRM contacts match → review', () => {
    const [d] = matchContacts({
      records: [person('p')],
      crm: [
        unowned('20', { emails: ['ivanov@romashka.ru'] }),
        unowned('21', { emails: ['ivanov@romashka.ru'] }),
      ],
      onAmbiguous: 'hold',
    });
    expect(d).toMatchObject({ action: 'review', reason: '2 CRM contacts of the company match' });
  });

  it('two 1C persons take the same CRM contact → review for both', () => {
    const ds = matchContacts({
      records: [person('p'), person('q')],
      crm: [unowned('20', { emails: ['ivanov@romashka.ru'] })],
      onAmbiguous: 'hold',
    });
    expect(ds.map((d) => d.action)).toEqual(['review', 'review']);
  });

  it('an owned contact is never a candidate', () => {
    expect(
      matchContacts({
        records: [person('p')],
        crm: [crmContact({ emails: ['ivanov@romashka.ru'] })],
        onAmbiguous: 'hold',
      }),
    ).toEqual([{ ref: 'p', action: 'create' }]);
  });
});
