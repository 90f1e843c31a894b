import { explainInvalid } from './invalid-value-reason.js';

describe('explainInvalid: what exactly is wrong, without quoting personal data', () => {
  it('INN', () => {
    expect(explainInvalid('inn', '77012345671', 'INN must have 10 or 12 digits', 'ru')).toBe(
      '11 цифр, а нужно 10 (организация) или 12 (ИП, физическое лицо)',
    );
    expect(explainInvalid('inn', '77012345671', 'INN must have 10 or 12 digits', 'en')).toBe(
      '11 digits, expected 10 (an organisation) or 12 (an entrepreneur or a person)',
    );
    expect(explainInvalid('inn', '770O234567', 'INN must contain digits only', 'ru')).toBe(
      '«O» на 4-м месте вместо цифры (буква «О» вместо нуля?)',
    );
    expect(explainInvalid('inn', '7701234568', 'INN check digit is wrong', 'ru')).toBe(
      'не сходится контрольная цифра — вероятно, опечатка в цифрах',
    );
  });

  it('KPP', () => {
    expect(explainInvalid('kpp', '77010100', 'KPP must be 9 characters', 'ru')).toBe(
      '8 знаков, а нужно 9 знаков: 4 цифры, 2 цифры или латинские буквы A–Z, 3 цифры',
    );
    expect(explainInvalid('kpp', '7701АБ001', 'KPP must be 9 characters', 'ru')).toBe(
      '«А» на 5-м месте, «Б» на 6-м месте — так нельзя (9 знаков: 4 цифры, 2 цифры или латинские буквы A–Z, 3 цифры); кириллица вместо латиницы?',
    );
  });

  it('OGRN', () => {
    expect(explainInvalid('ogrn', '102770013219', 'OGRN must have 13 digits (OGRNIP 15)', 'ru')).toBe(
      '12 цифр, а нужно 13 (ОГРН) или 15 (ОГРНИП)',
    );
  });

  it('phones: counts digits, never quotes them', () => {
    const cases: [string, string][] = [
      ['12-34', '4 цифры, а в российском номере их 11 (+7 и 10 цифр)'],
      ['+7 (495) 12-34', '8 цифр, а в российском номере их 11 (+7 и 10 цифр)'],
      ['доб. 123', 'только добавочный номер, без основного'],
      ['8 800 123', '7 цифр, а в российском номере их 11 (+7 и 10 цифр)'],
      ['+44 12', 'международный номер из 4 цифр не распознан'],
    ];
    for (const [v, text] of cases) {
      const out = explainInvalid('phones', v, 'not a valid phone number', 'ru');
      expect(out).toBe(text);
    }
    expect(explainInvalid('phones', '12-34', 'not a valid phone number', 'en')).toBe(
      '4 digits, a Russian number has 11 (+7 and 10 digits)',
    );
  });

  it('e-mails: says what is wrong, never quotes the address', () => {
    const cases: [string, string][] = [
      ['info@romashka', 'в домене нет точки и зоны (например, .ru)'],
      ['romashka.mail.ru', 'нет знака @'],
      ['info@@romashka.ru', 'знак @ встречается 2 раза'],
      ['romashka info@mail.ru', 'пробел внутри — возможно, два адреса в одном поле'],
      ['info@romashka.ru,', 'лишняя запятая или точка с запятой — возможно, два адреса в одном поле'],
    ];
    for (const [v, text] of cases) {
      const out = explainInvalid('emails', v, 'not a valid e-mail address', 'ru');
      expect(out).toBe(text);
      expect(out).not.toContain('romashka');
    }
  });

  it('an empty required field, and an unknown reason as it is', () => {
    expect(explainInvalid('title', '', 'required field is empty', 'ru')).toBe(
      'обязательное поле не заполнено',
    );
    expect(explainInvalid('x', 'y', 'something else', 'en')).toBe('something else');
  });
});
