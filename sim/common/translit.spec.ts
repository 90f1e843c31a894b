import { splitWords } from '../../src/dedupe/normalize/fold-text.js';
import { translitWord } from '../../src/dedupe/normalize/translit-key.js';
import {
  BRAND_SYLLABLES,
  LAST_NAMES,
  MALE_FIRST_NAMES,
  FEMALE_FIRST_NAMES,
  NAME_ROOTS,
  NAME_SECOND,
  PATRONYMIC_BASES,
  REGIONS,
} from './names.js';
import { latinSlug, toLatin } from './translit.js';

/** Dedupe's transliteration-insensitive key of a text, word by word. */
const key = (text: string) => splitWords(text).map(translitWord).join(' ');

describe('the generators’ transliteration', () => {
  it('spells names in Latin as people type them', () => {
    expect(toLatin('ООО «Ромашка»')).toBe('OOO «Romashka»');
    expect(toLatin('Щит Хим-2000')).toBe('Shchit Khim-2000');
    expect(toLatin('Журавлёв Юрий')).toBe('Zhuravlev Yuriy');
  });

  it('makes e-mail labels of [a-z0-9-] only', () => {
    expect(latinSlug('Зелёный Мир-2000')).toBe('zelenyy-mir-2000');
    expect(latinSlug(' «Ёлка» Плюс ')).toBe('elka-plyus');
    expect(latinSlug('Объём')).toBe('obem');
  });

  it('folds every vocabulary word and its Latin spelling to the same dedupe key', () => {
    const words = [
      ...NAME_ROOTS,
      ...NAME_SECOND,
      ...BRAND_SYLLABLES,
      ...LAST_NAMES,
      ...MALE_FIRST_NAMES,
      ...FEMALE_FIRST_NAMES,
      ...PATRONYMIC_BASES.flatMap((b) => [`${b}ич`, `${b}на`]),
      ...REGIONS.map((r) => r.city),
    ];
    const differ = words.filter((w) => key(w) !== key(toLatin(w)));
    // Including "Радио", "Регион", "Орион": a Latin "i" before a vowel is a sound of its own.
    expect(differ).toEqual([]);
  });
});
