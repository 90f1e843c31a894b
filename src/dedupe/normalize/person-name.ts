import levenshtein from 'fast-levenshtein';
import { translitWord } from './translit-key.js';

/**
 * Person names of sole traders (ИП, глава КФХ) in any word order and with initials:
 * `ИП Иванов Иван Иванович`, `Иванов И.И.`, `Иван Иванович Иванов`. Pure.
 */
export type PersonNameMatch =
  /** Every word and initial agrees. */
  | 'same'
  /** A common surname, and what one side has more is consistent with the other (initials of its names). */
  | 'compatible'
  /** A common surname but first names or initials that disagree: two different people. */
  | 'conflict'
  /** No common word: nothing to say (the name similarity decides). */
  | 'unknown';

/** Edit distance counting one swap of neighbours as one edit. */
function distance(a: string, b: string): number {
  const d = levenshtein.get(a, b);
  if (d !== 2 || a.length !== b.length) return d;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2) ? 1 : d;
}

/** Same word: equal, equal after transliteration (Ivanov / Иванов), or one edit apart in words of 5+ letters. */
function wordsAgree(a: string, b: string): boolean {
  if (a === b || translitWord(a) === translitWord(b)) return true;
  if (a.length < 5 || b.length < 5) return false;
  return distance(a, b) <= 1;
}

/**
 * Compares two person names given as folded words (legal form removed).
 *
 * Rules, in order (tie-break: words are matched greedily left to right, the first agreeing word wins):
 * 1. Full words (2+ letters) that agree (equal, or one typo in words of 5+ letters) are paired off;
 *    none paired → `unknown`.
 * 2. Both sides still hold unpaired full words (Иван vs Пётр) → `conflict`; but when two of them are
 *    one edit apart (a typo in a short word, or Юрий / Юлий) → `unknown`.
 * 3. The first letters of what is left (unpaired words and initials) must be one a sub-multiset of the
 *    other: `И.И.` fits `Иван Иванович`, `П.С.` does not → `conflict`.
 * 4. Nothing left on either side → `same`; otherwise → `compatible` (one side just says less).
 */
export function comparePersonNames(a: readonly string[], b: readonly string[]): PersonNameMatch {
  const fullA = a.filter((w) => w.length > 1 && !/\d/.test(w));
  const fullB = b.filter((w) => w.length > 1 && !/\d/.test(w));
  const usedB = new Array<boolean>(fullB.length).fill(false);
  const restA: string[] = [];
  let paired = 0;
  for (const w of fullA) {
    const k = fullB.findIndex((v, i) => !usedB[i] && wordsAgree(w, v));
    if (k >= 0) {
      usedB[k] = true;
      paired++;
    } else restA.push(w);
  }
  if (paired === 0) return 'unknown';
  const restB = fullB.filter((_, i) => !usedB[i]);
  if (restA.length > 0 && restB.length > 0) {
    // One edit apart in a short word (Пётр / Птр, Юрий / Юлий) may be a typo or another name: say nothing.
    if (restA.some((x) => restB.some((y) => distance(x, y) <= 1))) return 'unknown';
    return 'conflict';
  }
  const lettersA = [...restA.map((w) => w[0]), ...a.filter((w) => w.length === 1)].sort();
  const lettersB = [...restB.map((w) => w[0]), ...b.filter((w) => w.length === 1)].sort();
  if (lettersA.length === 0 && lettersB.length === 0) return 'same';
  const [small, big] = lettersA.length <= lettersB.length ? [lettersA, lettersB] : [lettersB, lettersA];
  const pool = [...big];
  for (const l of small) {
    const k = pool.indexOf(l);
    if (k < 0) return 'conflict';
    pool.splice(k, 1);
  }
  return 'compatible';
}
