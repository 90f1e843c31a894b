import { foldWords } from './fold-text.js';
import { extractLegalForm, legalFormsCompatible } from './legal-forms.js';

const extract = (name: string) => extractLegalForm(foldWords(name));

describe('extractLegalForm', () => {
  it.each([
    ['ООО «Ромашка»', 'ООО', ['ромашка']],
    ['Ромашка ООО', 'ООО', ['ромашка']],
    ['Общество с ограниченной ответственностью "Ромашка"', 'ООО', ['ромашка']],
    ['"Ромашка", общество с ограниченной ответственностью', 'ООО', ['ромашка']],
    ['OOO Ромашка', 'ООО', ['ромашка']],
    ['Romashka LLC', 'ООО', ['romashka']],
    ['Romashka Ltd.', 'ООО', ['romashka']],
    ['АО "Заря"', 'АО', ['заря']],
    ['Акционерное общество Заря', 'АО', ['заря']],
    ['ПАО Сбербанк', 'ПАО', ['сбербанк']],
    ['Публичное акционерное общество «Сбербанк»', 'ПАО', ['сбербанк']],
    ['ЗАО Заря', 'ЗАО', ['заря']],
    ['3AO Заря', 'ЗАО', ['заря']],
    ['ОАО Заря', 'ОАО', ['заря']],
    ['НАО Заря', 'НАО', ['заря']],
    ['Zarya JSC', 'АО', ['zarya']],
    ['ИП Иванов Иван Иванович', 'ИП', ['иванов', 'иван', 'иванович']],
    ['Иванов И.И. ИП', 'ИП', ['иванов', 'и', 'и']],
    ['Индивидуальный предприниматель Иванов И. И.', 'ИП', ['иванов', 'и', 'и']],
    ['Глава КФХ Петров П.П.', 'КФХ', ['петров', 'п', 'п']],
    ['ИП глава КФХ Петров П.П.', 'КФХ', ['петров', 'п', 'п']],
    [
      'Глава крестьянского (фермерского) хозяйства Петров Петр Петрович',
      'КФХ',
      ['петров', 'петр', 'петрович'],
    ],
    ['ГУП "Мосгортранс"', 'ГУП', ['мосгортранс']],
    ['МУП Водоканал', 'МУП', ['водоканал']],
    ['ФГУП Почта России', 'ФГУП', ['почта', 'россии']],
    ['Федеральное государственное унитарное предприятие «Почта России»', 'ФГУП', ['почта', 'россии']],
    ['ГБУ Жилищник', 'ГБУ', ['жилищник']],
    ['МБУ Спортшкола', 'МБУ', ['спортшкола']],
    ['АНО Развитие', 'АНО', ['развитие']],
    ['НКО Фонд', 'НКО', ['фонд']],
    ['ТСЖ «Берёзка»', 'ТСЖ', ['березка']],
    ['СНТ Берёзка', 'СНТ', ['березка']],
    ['Садоводческое некоммерческое товарищество «Берёзка»', 'СНТ', ['березка']],
  ])('%s → %s %j', (name, form, words) => {
    expect(extract(name)).toEqual({ form, words });
  });

  it('takes the first form as the attribute and removes all of them', () => {
    expect(extract('ООО ТД Ромашка ООО')).toEqual({ form: 'ООО', words: ['тд', 'ромашка'] });
  });

  it('keeps a name that is only a legal form, and a name without one', () => {
    expect(extract('ООО')).toEqual({ form: 'ООО', words: ['ооо'] });
    expect(extract('Ромашка')).toEqual({ form: null, words: ['ромашка'] });
  });

  it('treats short English words as a form only at the end', () => {
    expect(extract('SA Group')).toEqual({ form: null, words: ['sa', 'group'] });
    expect(extract('Nestle SA')).toEqual({ form: 'АО', words: ['nestle'] });
  });
});

describe('legalFormsCompatible', () => {
  it('accepts one family (ЗАО → АО after the 2014 reform, ООО ~ LLC) and a missing form', () => {
    expect(legalFormsCompatible('ЗАО', 'АО')).toBe(true);
    expect(legalFormsCompatible('ОАО', 'ПАО')).toBe(true);
    expect(legalFormsCompatible(null, 'ООО')).toBe(true);
    expect(legalFormsCompatible('ИП', 'КФХ')).toBe(true);
  });
  it('refuses different families (ООО vs АО, ИП vs ООО)', () => {
    expect(legalFormsCompatible('ООО', 'АО')).toBe(false);
    expect(legalFormsCompatible('ИП', 'ООО')).toBe(false);
  });
});
