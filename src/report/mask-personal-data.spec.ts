import { isContactField, maskContactValue, maskDetail, maskText, maskValue } from './mask-personal-data.js';

describe('maskText: phones and e-mails anywhere in free text', () => {
  it.each([
    ['same phone +74951234567', 'same phone +7******4567'],
    ['тел. 8 (495) 123-45-67, доб. 12', 'тел. +7******4567, доб. 12'],
    ['call 84951234567 now', 'call +7******4567 now'],
    ['+7 916 111-22-33', '+7******2233'],
    ['same e-mail ivan.petrov@domain.ru', 'same e-mail i***@domain.ru'],
    ['Sales@Romashka.RU и +79161112233', 'S***@Romashka.RU и +7******2233'],
  ])('%s', (input, expected) => {
    expect(maskText(input)).toBe(expected);
  });

  it.each([
    'ИНН 7701234567 КПП 770101001',
    'OGRN 1027700132195, ИП 500100732259',
    'ref a348aa8c-d629-11e5-0a9b-000c295e30eb',
    'долг 1520000.00 ₽, разница 22000.00',
    'дата 28.11.2026, заказ 000123',
  ])('leaves identifiers, money and dates alone: %s', (input) => {
    expect(maskText(input)).toBe(input);
  });

  it('redacts secrets: URL credentials, webhook secrets, bearer tokens, API keys', () => {
    const out = maskText(
      'smtp://mailer:Sup3rS3cret@relay:587 https://x.bitrix24.ru/rest/1/abcdef123456/ Bearer svk_abcdefghijklmnop',
    );
    expect(out).not.toMatch(/Sup3rS3cret|abcdef123456|svk_abcdefghijklmnop/);
  });

  it('is idempotent on masked values', () => {
    expect(maskText('+7******4567 i***@domain.ru')).toBe('+7******4567 i***@domain.ru');
  });
});

describe('contact fields are masked token by token, even when they do not parse', () => {
  it('recognises contact field names', () => {
    expect(['phones', 'emails', 'phone', 'email', 'fm.PHONE'].every(isContactField)).toBe(true);
    expect(['inn', 'title', 'stageId', null].some(isContactField)).toBe(false);
  });

  it('masks lists and unparseable values', () => {
    expect(maskContactValue('+74951234567, +79161112233')).toBe('+7******4567, +7******2233');
    expect(maskContactValue('buh@stroymontazh,ru')).toBe('b***@stroymontazh,r***');
    expect(maskContactValue('8-495-12')).toBe('8-***-12');
    expect(maskContactValue('8 (812) 333-44-55; +7 916 111-22-33')).toBe('+7******4455; +7******2233');
  });

  it('a phone that does not parse keeps its shape, its code and its last two digits', () => {
    expect(maskContactValue('+7 (495) 12-34', 'phones')).toBe('+7 (495) **-34');
    expect(maskContactValue('12-34', 'phones')).toBe('**-34');
    expect(maskContactValue('доб. 123', 'phones')).toBe('доб. *23');
    expect(maskContactValue('Мария 8 916 12', 'phones')).toBe('М*** 8 *** 12');
    expect(maskContactValue('+7 1288', 'phones')).toBe('+7 **88');
    expect(maskContactValue('8 12', 'phones')).toBe('* 12');
  });

  it('an e-mail that does not parse keeps its first letter and its domain', () => {
    expect(maskContactValue('romashka.mail.ru', 'emails')).toBe('r***.mail.ru');
    expect(maskContactValue('info@@romashka.ru', 'emails')).toBe('i***@romashka.ru');
    expect(maskContactValue('info@romashka.ru,', 'emails')).toBe('i***@romashka.ru,');
  });

  it('maskValue: contact fields by token, others as text', () => {
    expect(maskValue('ivan@x.ru', 'emails')).toBe('i***@x.ru');
    expect(maskValue('5024089920', 'inn')).toBe('5024089920');
  });

  it('maskDetail replaces the quoted raw values, then scans the text', () => {
    const detail = 'Поле «phones» различается: в 1С «8-495-12», в CRM «+74951234567»';
    const out = maskDetail(detail, 'phones', ['8-495-12', '+74951234567']);
    expect(out).not.toContain('8-495-12');
    expect(out).not.toContain('74951234567');
    expect(out).toContain('+7******4567');
  });
});
