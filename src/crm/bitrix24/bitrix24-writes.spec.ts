import type { B24Requisite } from './bitrix24.types.js';
import { reusableRequisite } from './bitrix24-writes.js';

const req = (id: string, inn: string, kpp: string, xmlId: string | null = null): B24Requisite => ({
  id,
  companyId: '7',
  presetId: '1',
  name: 'Организация',
  xmlId,
  inn,
  kpp,
  companyName: 'Техно',
  fullName: 'ООО "Техно"',
  personName: '',
  ogrn: '',
});

describe('reusableRequisite (the requisite a link adopts)', () => {
  const matched = { inn: '5024089920', kpp: '501701001' };

  it('the lowest-ID requisite with the INN (digits compared) and the same KPP or none', () => {
    expect(reusableRequisite([req('9', '5024089920', ''), req('4', '5024 089 920', '501701001')], 'k-1', matched)?.id).toBe('4');
    expect(reusableRequisite([req('9', '5024089920', '')], 'k-1', matched)?.id).toBe('9');
  });

  it('another KPP (another branch) or another INN is not reused', () => {
    expect(reusableRequisite([req('4', '5024089920', '501702002'), req('5', '7707083893', '501701001')], 'k-1', matched)).toBeNull();
  });

  it('one already marked with the key wins (a link tried before); none without a match', () => {
    expect(reusableRequisite([req('4', '5024089920', '501701001'), req('8', '7707083893', '', 'k-1')], 'k-1', matched)?.id).toBe('8');
    expect(reusableRequisite([req('4', '5024089920', '501701001')], 'k-1', undefined)).toBeNull();
    expect(reusableRequisite([], 'k-1', matched)).toBeNull();
  });
});
