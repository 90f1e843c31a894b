import { normalizeCompanyName } from './company-name.js';

describe('normalizeCompanyName', () => {
  it('gives one compact string for every spelling of one name', () => {
    const spellings = [
      'ООО «Ёлка-Плюс»',
      'Елка плюс, ООО',
      'Общество с ограниченной ответственностью "ЁЛКА ПЛЮС"',
      'OOO Eлкa-Плюc', // Latin O, E, a, c
      'ёлкаплюс ооо',
    ];
    const compacts = spellings.map((s) => normalizeCompanyName(s).compact);
    expect(new Set(compacts)).toEqual(new Set(['елкаплюс']));
    expect(spellings.map((s) => normalizeCompanyName(s).legalForm)).toEqual([
      'ООО',
      'ООО',
      'ООО',
      'ООО',
      'ООО',
    ]);
  });

  it('gives one transliteration key to "Romashka LLC" and "ООО Ромашка"', () => {
    const a = normalizeCompanyName('Romashka LLC');
    const b = normalizeCompanyName('ООО Ромашка');
    expect(a.sortedKey).toBe(b.sortedKey);
    expect(a.legalForm).toBe('ООО');
    expect(a.compact).not.toBe(b.compact);
  });

  it('sorted key ignores word order', () => {
    expect(normalizeCompanyName('Торговый дом Восток').sortedKey).toBe(
      normalizeCompanyName('Восток Торговый Дом').sortedKey,
    );
  });

  it('keeps numbers apart and marks persons', () => {
    expect(normalizeCompanyName('МУП Автобаза № 3').numbers).toEqual(['3']);
    expect(normalizeCompanyName('ИП Иванов И.И.').isPerson).toBe(true);
    expect(normalizeCompanyName('Иванов Иван Иванович', { personHint: true }).isPerson).toBe(true);
    expect(normalizeCompanyName('ООО Иванов и партнёры', { personHint: true }).isPerson).toBe(false);
  });

  it('falls back to the full name', () => {
    expect(normalizeCompanyName('  ', { fullName: 'АО «Заря»' }).compact).toBe('заря');
  });
});
