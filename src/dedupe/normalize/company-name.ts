import { foldWords } from './fold-text.js';
import { extractLegalForm, legalFamily, type LegalForm } from './legal-forms.js';
import { translitWord } from './translit-key.js';

/**
 * A counterparty name as the rules compare it: legal form apart, folded words, a compact string for
 * edit distance, transliteration-insensitive tokens and a word-order-insensitive key. Pure.
 */
export interface NormalizedName {
  legalForm: LegalForm | null;
  /** Folded words without the legal form: `ООО «Ёлка-Плюс»` → [`елка`, `плюс`]. */
  words: string[];
  /** Words joined without spaces (`Альфа-Строй` and `Альфастрой` agree): the edit-distance string. */
  compact: string;
  /** Transliteration keys of the words, in order. */
  keys: string[];
  /** Transliteration keys sorted and joined: insensitive to script and word order. */
  sortedKey: string;
  /** Numbers in the name (`Автобаза 3`, `СМУ-12`): different numbers mean different parties. */
  numbers: string[];
  /** ИП / КФХ (or a person's INN): words are a person's name. */
  isPerson: boolean;
  /** The name says it is a branch (`филиал`, `обособленное подразделение`, `представительство`). */
  isBranch: boolean;
}

const BRANCH_WORDS = new Set(['филиал', 'представительство', 'branch']);

/**
 * Normalises a name. `fullName` is used when `name` is empty. `personHint` (a 12-digit INN) marks the
 * name as a person's when no legal form says otherwise.
 */
export function normalizeCompanyName(
  name: string,
  opts: { fullName?: string; personHint?: boolean } = {},
): NormalizedName {
  const source = name.trim() || opts.fullName?.trim() || '';
  const extracted = extractLegalForm(foldWords(source));
  const form = extracted.form;
  let words = extracted.words;
  let isBranch = false;
  const kept = words.filter((w, i) => {
    if (BRANCH_WORDS.has(w)) return !(isBranch = true);
    if (w === 'обособленное' && words[i + 1] === 'подразделение') return !(isBranch = true);
    if (w === 'подразделение' && words[i - 1] === 'обособленное') return false;
    return true;
  });
  if (kept.length > 0) words = kept;
  const keys = words.map(translitWord);
  const family = legalFamily(form);
  return {
    legalForm: form,
    words,
    compact: words.join(''),
    keys,
    sortedKey: [...keys].sort().join(''),
    numbers: words.filter((w) => /^\d+$/.test(w)),
    isPerson: family === 'person' || (family === null && !!opts.personHint),
    isBranch,
  };
}
