/**
 * The one Cyrillic → Latin table of the generators, and what they build from it: Latin spellings of
 * names (`Romashka LLC`, planted duplicates) and e-mail local parts and domains.
 *
 * The table is the common passport-style one (х → kh, ц → ts, щ → shch, ю → yu, я → ya). Dedupe folds
 * Cyrillic and Latin spellings with its own phonetic key (src/dedupe/normalize/translit-key.ts); a spec
 * beside this file checks that every generated Latin spelling folds to the key of its Cyrillic original,
 * so the generators never plant a "transliteration" that dedupe could not recognise.
 */
const TABLE: Readonly<Record<string, string>> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'yu',
  я: 'ya',
};

/**
 * A Latin spelling as a person types it: letter by letter through the table, a capital stays a capital
 * (`Ромашка Щит` → `Romashka Shchit`); anything else (digits, spaces, punctuation, Latin) is kept.
 */
export function toLatin(text: string): string {
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const t = TABLE[lower];
    if (t === undefined) out += ch;
    else out += ch !== lower && t ? t[0].toUpperCase() + t.slice(1) : t;
  }
  return out;
}

/**
 * An e-mail local part or domain label: lower case, `[a-z0-9-]` only, spaces and hyphens as one `-`,
 * no `-` at either end (`Зелёный Мир-2000` → `zelenyy-mir-2000`).
 */
export function latinSlug(text: string): string {
  return toLatin(text.toLowerCase())
    .replace(/[\s-]+/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Cyrillic letters that have a Latin look-alike (for planted duplicate spellings: `Ромашка` → `Poмашка`). */
export const LATIN_LOOKALIKE: Readonly<Record<string, string>> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  х: 'x',
  у: 'y',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
};
