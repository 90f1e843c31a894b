import { canonicalList, dealTitle, transformList, transformValue } from './transform-values.js';

describe('transform-values', () => {
  it('applies trim, E.164 and lower-case as the mapping says', () => {
    expect(transformValue('  ООО «Ромашка» ', ['trim'])).toBe('ООО «Ромашка»');
    expect(transformValue('8 (495) 123-45-67', ['phone_e164'])).toBe('+74951234567');
    expect(transformValue(' Info@Example.RU ', ['email_lower'])).toBe('info@example.ru');
    expect(transformValue('12-34', ['phone_e164'])).toBeNull();
    expect(transformValue('x', [])).toBe('x');
  });
  it('normalises a multi-value field, de-duplicates it and keeps what does not parse apart', () => {
    expect(transformList(['8 495 123 45 67', '+74951234567', '', 'abc'], ['phone_e164'])).toEqual({
      values: ['+74951234567'],
      invalid: ['abc'],
    });
  });
  it('compares lists regardless of order', () => {
    expect(canonicalList(['b@x.ru', 'a@x.ru', 'b@x.ru'])).toBe('a@x.ru, b@x.ru');
    expect(canonicalList([])).toBe('');
  });
  it('builds the deal title of the mapping', () => {
    expect(dealTitle(' 0000-000123 ', '2026-08-05T10:00:00')).toBe('Заказ клиента 0000-000123 от 05.08.2026');
  });
});
