/**
 * A transliteration-insensitive key: Cyrillic and Latin spellings of one word fold to the same string
 * ("Ромашка" and "Romashka" → `romaWka`). Pure.
 *
 * Cyrillic letters map straight to a small phonetic alphabet; Latin text goes through the usual
 * transliteration digraphs (shch, sh, ch, zh, kh, ts, ya, yu…) to the same alphabet. Upper-case
 * placeholders stand for sounds that Latin spells with two letters: W = ш/щ, Q = ч, J = ж, C = ц.
 * Ambiguous letters are merged (c/k/q → k, y/j/i/й/ы → i, w/v → v, x → ks), and double letters collapse.
 * The iotated я/ю are spelt out as i+vowel — the way every Latin spelling writes them (ya, ia, iya) —
 * so a Latin "i" before a vowel stays a sound of its own: "Радио" = "Radio", "Мария" = "Maria" =
 * "Mariya" = "Mariia", "Майоров" = "Mayorov".
 */

const CYR: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'J',
  з: 'z',
  и: 'i',
  й: 'i',
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
  х: 'h',
  ц: 'C',
  ч: 'Q',
  ш: 'W',
  щ: 'W',
  ъ: '',
  ы: 'i',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
  і: 'i',
  ї: 'i',
  є: 'e',
};

const LATIN_RULES: [RegExp, string][] = [
  [/shch|sch|sh/g, 'W'],
  [/tch|ch/g, 'Q'],
  [/zh/g, 'J'],
  [/kh/g, 'h'],
  [/ts|tz/g, 'C'],
  [/ph/g, 'f'],
  [/ck/g, 'k'],
  [/x/g, 'ks'],
  [/w/g, 'v'],
  [/ye/g, 'e'],
  [/[yj]/g, 'i'],
  [/[cq]/g, 'k'],
];

/** Key of one folded word (lower case, ё already е). */
export function translitWord(word: string): string {
  let latin = '';
  let out = '';
  const flushLatin = () => {
    if (!latin) return;
    let s = latin;
    for (const [re, rep] of LATIN_RULES) s = s.replace(re, rep);
    out += s;
    latin = '';
  };
  for (const ch of word) {
    const c = CYR[ch];
    if (c !== undefined) {
      flushLatin();
      out += c;
    } else {
      latin += ch;
    }
  }
  flushLatin();
  // Double letters collapse ("Ассоль" / "Asol"); й after и (-ий endings) already merged into i.
  return out.replace(/([a-zA-Z])\1+/g, '$1');
}
