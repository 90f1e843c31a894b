import { fmAdd, fmDiff } from './fm-diff.util.js';

describe('fmDiff (sheet §3 keyed fm update)', () => {
  it('keeps wanted entries, deletes the rest by id with "", adds the missing as n0…', () => {
    const update = fmDiff(
      'PHONE',
      [
        { id: '8303', value: '+74951234567', valueType: 'WORK' },
        { id: '8304', value: '8 (495) 765-43-21', valueType: 'MOBILE' },
      ],
      ['+74957654321', '+74951234568'],
    );
    expect(update).toEqual({
      '8303': { typeId: 'PHONE', value: '' },
      n0: { typeId: 'PHONE', valueType: 'WORK', value: '+74951234568' },
    });
  });

  it('continues n-numbering across types and compares e-mails case-insensitively', () => {
    const u = fmDiff('PHONE', [], ['+74951234567']);
    fmDiff(
      'EMAIL',
      [
        { id: '9', value: 'Info@X.ru', valueType: 'WORK' },
        { id: '10', value: 'old@x.ru', valueType: 'WORK' },
      ],
      ['info@x.ru', 'new@x.ru'],
      u,
    );
    expect(u).toEqual({
      n0: { typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' },
      '10': { typeId: 'EMAIL', value: '' },
      n1: { typeId: 'EMAIL', valueType: 'WORK', value: 'new@x.ru' },
    });
  });

  it('is empty when nothing changes, deletes a duplicate of a kept value', () => {
    expect(fmDiff('EMAIL', [{ id: '1', value: 'a@b.ru', valueType: 'WORK' }], ['a@b.ru'])).toEqual({});
    expect(
      fmDiff(
        'EMAIL',
        [
          { id: '1', value: 'a@b.ru', valueType: 'WORK' },
          { id: '2', value: 'A@b.ru', valueType: 'HOME' },
        ],
        ['a@b.ru'],
      ),
    ).toEqual({ '2': { typeId: 'EMAIL', value: '' } });
  });

  it('fmAdd builds the add array once per value', () => {
    expect(fmAdd(['+74951234567', '+74951234567'], ['a@b.ru'])).toEqual([
      { typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' },
      { typeId: 'EMAIL', valueType: 'WORK', value: 'a@b.ru' },
    ]);
  });
});
