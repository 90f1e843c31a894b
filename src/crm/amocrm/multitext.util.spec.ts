import { applyValuesChange, newValues, valueKey } from './multitext.util.js';

describe('phones and e-mails as amoCRM multitext values', () => {
  const current = [
    { value: '+74951234567', enum_code: 'WORK' },
    { value: '8 (916) 000-11-22', enum_code: 'MOB' },
  ];

  it('removes ours, adds new ones as WORK at the end, keeps a person’s value with its code', () => {
    expect(applyValuesChange('PHONE', current, { add: ['+74957654321'], remove: ['+74951234567'] })).toEqual([
      { value: '8 (916) 000-11-22', enum_code: 'MOB' },
      { value: '+74957654321', enum_code: 'WORK' },
    ]);
  });

  it('reads a value the record holds in another spelling as held (no duplicate, no write)', () => {
    expect(applyValuesChange('PHONE', current, { add: ['+79160001122'], remove: [] })).toBeNull();
    expect(applyValuesChange('EMAIL', [{ value: 'Info@Firma.RU', enum_code: 'PRIV' }], { add: ['info@firma.ru'], remove: [] })).toBeNull();
  });

  it('is idempotent: the result applied again changes nothing', () => {
    const once = applyValuesChange('PHONE', current, { add: ['+74957654321'], remove: ['+74951234567'] })!;
    expect(applyValuesChange('PHONE', once, { add: ['+74957654321'], remove: ['+74951234567'] })).toBeNull();
  });

  it('a value both added and removed stays; an empty list is written as empty', () => {
    expect(applyValuesChange('PHONE', current, { add: ['+74951234567'], remove: ['+74951234567'] })).toBeNull();
    expect(applyValuesChange('EMAIL', [{ value: 'a@b.ru', enum_code: 'WORK' }], { add: [], remove: ['A@B.ru'] })).toEqual([]);
  });

  it('new values: each once, WORK, blanks dropped', () => {
    expect(newValues('PHONE', ['+74951234567', '84951234567', ' '])).toEqual([{ value: '+74951234567', enum_code: 'WORK' }]);
    expect(newValues('EMAIL', undefined)).toEqual([]);
    expect(valueKey('PHONE', '8 (495) 123-45-67')).toBe('74951234567');
  });
});
