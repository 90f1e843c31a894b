import { fixLookalikes, foldWords, splitWords } from './fold-text.js';

describe('fold-text', () => {
  it('lower-cases, turns ё into е and drops every quote style and punctuation', () => {
    expect(splitWords('ООО «Ёлка»')).toEqual(['ооо', 'елка']);
    expect(splitWords('ООО „Ёлка“')).toEqual(['ооо', 'елка']);
    expect(splitWords('ООО "Ёлка"')).toEqual(['ооо', 'елка']);
    expect(splitWords("ООО 'Ёлка'")).toEqual(['ооо', 'елка']);
    expect(splitWords('ООО ‘Ёлка’ ”x“')).toEqual(['ооо', 'елка', 'x']);
    expect(splitWords('  Альфа-Строй,   Торг.  ')).toEqual(['альфа', 'строй', 'торг']);
    expect(splitWords('Иванов И.И.')).toEqual(['иванов', 'и', 'и']);
  });

  it('makes mixed-script words Cyrillic (Latin P, o, a in a Russian word)', () => {
    expect(foldWords('OOO Pомашкa')).toEqual(['ооо', 'ромашка']);
    expect(foldWords('ТОРГОВЫЙ ДОМ TOP')).toEqual(['торговый', 'дом', 'тор']);
    expect(foldWords('3AO Заря')).toEqual(['зао', 'заря']);
  });

  it('keeps all-Latin names Latin, and Latin words that are not look-alikes', () => {
    expect(foldWords('Romashka LLC')).toEqual(['romashka', 'llc']);
    expect(foldWords('Coca Cola')).toEqual(['coca', 'cola']);
    expect(fixLookalikes(['ромашка', 'group'])).toEqual(['ромашка', 'group']);
  });

  it('never turns the digit 3 of a number into З', () => {
    expect(foldWords('Автобаза 3')).toEqual(['автобаза', '3']);
  });
});
