import { reasonText } from './reason-text.js';

describe('reason texts in Russian', () => {
  it.each([
    ['name similarity 0.96 after normalisation', 'сходство названий 0.96 после нормализации'],
    ['same phone +74951234567', 'общий телефон +74951234567'],
    ['same phone +7******4567', 'общий телефон +7******4567'],
    ['same e-mail i***@romashka.ru', 'общий e-mail i***@romashka.ru'],
    ['different INN 7701234567 / 7701234568', 'разные ИНН 7701234567 / 7701234568'],
    [
      'same INN 7701234567 (branches: KPP 770101001 / 770201001)',
      'один ИНН 7701234567 (филиалы: КПП 770101001 / 770201001)',
    ],
    [
      'same phone +74951234567, shared by 9 records (switchboard: weak)',
      'общий телефон +74951234567 у 9 записей (коммутатор: слабый признак)',
    ],
    ['different people: ИП Иванов И.И. / ИП Иванов П.С.', 'разные люди: ИП Иванов И.И. / ИП Иванов П.С.'],
  ])('%s', (en, ru) => expect(reasonText(en, 'ru')).toBe(ru));
  it('keeps English for en and unknown texts as they are', () => {
    expect(reasonText('same INN 7701234567', 'en')).toBe('same INN 7701234567');
    expect(reasonText('something new', 'ru')).toBe('something new');
  });
});
