/**
 * How a 1C enumeration value reads: the standard OData interface gives the value's name
 * (`КВыполнению`), not its synonym ("К выполнению"). 1C names are the synonym's words run together,
 * each capitalised, so the words are split back at each capital that starts a word and lower-cased
 * after the first; an all-capitals run (`НДС`) stays one word as it is. Pure.
 *
 * `НеСогласован` → "Не согласован", `КОтгрузке` → "К отгрузке", `Закрыт` → "Закрыт".
 */
export function enumPresentation(name: string): string {
  const text = name.trim();
  if (!text) return text;
  const words = text
    // a lower-case letter or digit followed by a capital: a new word
    .replace(/([a-zа-яё\d])([A-ZА-ЯЁ])/gu, '$1 $2')
    // a capital followed by a capital and a lower-case letter: the second capital starts a word (КВыполнению)
    .replace(/([A-ZА-ЯЁ])(?=[A-ZА-ЯЁ][a-zа-яё])/gu, '$1 ')
    .replace(/_/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  return words
    .map((w, i) => (i === 0 || /^[A-ZА-ЯЁ\d]+$/u.test(w) ? w : w.toLowerCase()))
    .join(' ');
}
