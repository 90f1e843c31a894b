import type { FmEntry } from './bitrix24.types.js';
import { fmAdd, fmChange } from './fm-diff.util.js';

const e = (id: string, typeId: 'PHONE' | 'EMAIL', value: string, valueType = 'WORK'): FmEntry => ({ id, typeId, value, valueType });

describe('fmChange (keyed fm update from a values change)', () => {
  it('deletes entries holding a removed value by id, adds new values as n0…, leaves other entries alone', () => {
    const update = fmChange(
      'PHONE',
      [e('8303', 'PHONE', '+74951234567'), e('8304', 'PHONE', '8 (495) 765-43-21', 'MOBILE')],
      { add: ['+74951234568'], remove: ['+74951234567'] },
    );
    expect(update).toEqual({
      '8303': { typeId: 'PHONE', value: '' },
      n0: { typeId: 'PHONE', valueType: 'WORK', value: '+74951234568' },
    });
  });

  it('continues n-numbering across types and compares e-mails case-insensitively', () => {
    const u = fmChange('PHONE', [], { add: ['+74951234567'], remove: [] });
    fmChange('EMAIL', [e('9', 'EMAIL', 'Info@X.ru'), e('10', 'EMAIL', 'old@x.ru')], { add: ['info@x.ru', 'new@x.ru'], remove: ['old@x.ru'] }, u);
    expect(u).toEqual({
      n0: { typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' },
      '10': { typeId: 'EMAIL', value: '' },
      n1: { typeId: 'EMAIL', valueType: 'WORK', value: 'new@x.ru' },
    });
  });

  it('is empty when the record already is as asked: applying it again after a lost answer changes nothing', () => {
    const after = [e('1', 'EMAIL', 'a@b.ru'), e('3', 'EMAIL', 'manager@b.ru')];
    expect(fmChange('EMAIL', after, { add: ['a@b.ru'], remove: ['old@b.ru'] })).toEqual({});
  });

  it('a value both added and removed stays; entries of the other type are not touched', () => {
    expect(fmChange('EMAIL', [e('1', 'EMAIL', 'a@b.ru'), e('2', 'PHONE', '+74951234567')], { add: ['a@b.ru'], remove: ['a@b.ru', '+74951234567'] })).toEqual({});
  });

  it('fmAdd builds the add array once per value', () => {
    expect(fmAdd(['+74951234567', '+74951234567'], ['a@b.ru'])).toEqual([
      { typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' },
      { typeId: 'EMAIL', valueType: 'WORK', value: 'a@b.ru' },
    ]);
  });
});
