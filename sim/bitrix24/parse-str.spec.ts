import { buildPhpQuery } from '../../src/crm/bitrix24/php-query.util.js';
import { parseStr } from './parse-str.js';

describe('parseStr (PHP parse_str, docs/protocols/bitrix24.md#batch-query-strings)', () => {
  it('reads a crm.item.add batch command back into nested params', () => {
    const q =
      'entityTypeId=4&fields[title]=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&fields[originatorId]=sverka-1c' +
      '&fields[fm][0][typeId]=PHONE&fields[fm][0][valueType]=WORK&fields[fm][0][value]=%2B74951234567';
    expect(parseStr(q)).toEqual({
      entityTypeId: '4',
      fields: {
        title: 'Ромашка',
        originatorId: 'sverka-1c',
        fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' }],
      },
    });
  });

  it('keeps id-keyed fm objects as objects, appends on [] and turns + into a space', () => {
    expect(parseStr('fields[fm][8303][value]=&fields[fm][n0][value]=%2B7&a[]=x&a[]=y&b=c+d')).toEqual({
      fields: { fm: { '8303': { value: '' }, n0: { value: '+7' } } },
      a: ['x', 'y'],
      b: 'c d',
    });
  });

  it('round-trips what buildPhpQuery builds (as strings)', () => {
    const params = { filter: { '>id': '5', '@originId': ['a=b', 'c&d'] }, select: ['*'], start: '-1' };
    expect(parseStr(buildPhpQuery(params))).toEqual(params);
  });
});
