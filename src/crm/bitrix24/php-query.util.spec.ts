import { batchCommand, buildPhpQuery } from './php-query.util.js';

describe('buildPhpQuery (http_build_query style, docs/protocols/bitrix24.md#batch-query-strings)', () => {
  it('encodes nested keys with literal brackets and every segment and value percent-encoded', () => {
    const q = buildPhpQuery({
      entityTypeId: 4,
      fields: {
        title: 'Ромашка',
        fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' }],
      },
      select: ['id'],
      filter: { '>id': 2919, '@originId': ['a b', 'c&d=e'] },
    });
    expect(q).toBe(
      'entityTypeId=4' +
        '&fields[title]=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0' +
        '&fields[fm][0][typeId]=PHONE&fields[fm][0][valueType]=WORK&fields[fm][0][value]=%2B74951234567' +
        '&select[0]=id' +
        '&filter[%3Eid]=2919&filter[%40originId][0]=a%20b&filter[%40originId][1]=c%26d%3De',
    );
  });

  it('sends null as an empty value (fm delete) and keeps the method prefix', () => {
    expect(
      batchCommand('crm.item.update', {
        entityTypeId: 4,
        id: 2919,
        fields: { fm: { '8303': { typeId: 'PHONE', value: '' } } },
      }),
    ).toBe('crm.item.update?entityTypeId=4&id=2919&fields[fm][8303][typeId]=PHONE&fields[fm][8303][value]=');
    expect(buildPhpQuery({ a: null })).toBe('a=');
    expect(batchCommand('crm.status.list', {})).toBe('crm.status.list');
  });

  it('never lets a raw "=" inside a key split the pair', () => {
    expect(buildPhpQuery({ filter: { '=originId': 'x' } })).toBe('filter[%3DoriginId]=x');
  });
});
