import { innWithCheckDigits } from '../../common/ru-ids.js';
import {
  emailDomain,
  innCode,
  isFreeMailDomain,
  normalizeEmails,
  normalizePhones,
  validInn,
  validKpp,
  validOgrn,
} from './identifiers.js';

describe('identifiers', () => {
  it('keeps an INN only when its check digits hold', () => {
    const inn = innWithCheckDigits('770123456');
    expect(validInn(inn)).toBe(inn);
    expect(validInn(` ${inn.slice(0, 4)} ${inn.slice(4)} `)).toBe(inn);
    expect(validInn(inn.slice(0, 9) + ((Number(inn[9]) + 1) % 10))).toBeNull();
    expect(validInn('')).toBeNull();
    expect(validInn(null)).toBeNull();
    expect(validInn('0000000000')).toBeNull();
  });

  it('keeps leading zeros apart in the INN code', () => {
    const a = innWithCheckDigits('027412345');
    const b = innWithCheckDigits('0274123456');
    expect(innCode(a)).not.toBe(innCode(b));
  });

  it('validates KPP and OGRN', () => {
    expect(validKpp('770101001')).toBe('770101001');
    expect(validKpp('7701AB001')).toBe('7701AB001');
    expect(validKpp('77010100')).toBeNull();
    expect(validOgrn('1027700132195')).toBe('1027700132195');
    expect(validOgrn('1027700132196')).toBeNull();
  });

  it('normalises phones to E.164 and e-mails to lower case, dropping junk', () => {
    expect(normalizePhones(['8 (495) 123-45-67', '+7 495 123 45 67', '74951234567', 'нет'])).toEqual([
      '+74951234567',
    ]);
    expect(normalizePhones(['8 (495) 123-45-67; 8 916 123-45-67'])).toEqual(['+74951234567', '+79161234567']);
    expect(normalizeEmails([' Info@Romashka.RU ', 'info@romashka.ru', 'not-an-email'])).toEqual([
      'info@romashka.ru',
    ]);
  });

  it('tells free-mail domains from corporate ones', () => {
    for (const d of [
      'mail.ru',
      'yandex.ru',
      'gmail.com',
      'bk.ru',
      'list.ru',
      'inbox.ru',
      'rambler.ru',
      'ya.ru',
    ]) {
      expect(isFreeMailDomain(d)).toBe(true);
    }
    expect(isFreeMailDomain(emailDomain('info@romashka.ru'))).toBe(false);
  });
});
