import { maskEmail, maskPhone, normalizeEmail, normalizePhone } from './contact-values.js';

describe('contact values', () => {
  it.each([
    ['8 (495) 123-45-67', '+74951234567'],
    ['+7 495 123-45-67', '+74951234567'],
    ['74951234567', '+74951234567'],
    ['(916) 000-11-22', '+79160001122'],
  ])('normalises phone %s to E.164', (raw, want) => expect(normalizePhone(raw)).toBe(want));
  it('gives null for phones that do not parse', () => {
    expect(normalizePhone('12-34')).toBeNull();
    expect(normalizePhone('звонить секретарю')).toBeNull();
    expect(normalizePhone('')).toBeNull();
  });
  it('lower-cases and checks e-mails', () => {
    expect(normalizeEmail('  Info@Techno-Log.RU ')).toBe('info@techno-log.ru');
    expect(normalizeEmail('info@')).toBeNull();
    expect(normalizeEmail('info techno@x.ru')).toBeNull();
  });
  it('masks personal data', () => {
    expect(maskPhone('+74951234567')).toBe('+7******4567');
    expect(maskEmail('ivan@domain.ru')).toBe('i***@domain.ru');
  });
});
