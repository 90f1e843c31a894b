/**
 * Text folding for names: lower case, ё→е, every quote style and punctuation to spaces, Latin letters
 * that look like Cyrillic ones turned into Cyrillic inside Russian names. Pure.
 */

/** Latin letters (lower case) that look like a Cyrillic letter, and that letter. */
const LOOKALIKE: Record<string, string> = {
  a: 'а',
  b: 'в',
  c: 'с',
  e: 'е',
  h: 'н',
  k: 'к',
  m: 'м',
  o: 'о',
  p: 'р',
  t: 'т',
  x: 'х',
  y: 'у',
};
const CYRILLIC = /[а-я]/;
const LATIN = /[a-z]/;
const ONLY_LOOKALIKE_LATIN = /^[abcehkmoptxy3]+$/;

/**
 * Splits folded text into words. Quotes of every style (« » „ “ ” " ' ‘ ’ ‹ › ` ´), punctuation, dashes,
 * slashes and any run of spaces separate words; letters and digits stay.
 */
export function splitWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Replaces Latin look-alike letters by Cyrillic ones.
 *
 * Rules and tie-breaks:
 * - a word that mixes Cyrillic and Latin letters (`Pомашка` with a Latin P) is made Cyrillic letter by letter;
 * - a word written only with look-alike Latin letters (`OOO`, `TOP`, `3AO` with a digit 3 for З) is made
 *   Cyrillic only when another word of the name is Cyrillic — in an all-Latin name (`Romashka LLC`,
 *   `Coca Cola`) Latin words stay Latin; the transliteration key compares those across scripts;
 * - the digit 3 becomes З only inside such a look-alike word, never in numbers.
 */
export function fixLookalikes(words: string[]): string[] {
  const hasCyrillic = words.some((w) => CYRILLIC.test(w));
  if (!hasCyrillic) return words;
  return words.map((w) => {
    if (!LATIN.test(w)) return w;
    const mixed = CYRILLIC.test(w);
    if (!mixed && !(ONLY_LOOKALIKE_LATIN.test(w) && /[a-z]/.test(w))) return w;
    let out = '';
    for (const ch of w) {
      if (ch === '3' && !mixed) out += 'з';
      else out += LOOKALIKE[ch] ?? ch;
    }
    return out;
  });
}

/** `splitWords` then `fixLookalikes`: the words of a name as every rule sees them. */
export function foldWords(text: string): string[] {
  return fixLookalikes(splitWords(text));
}
