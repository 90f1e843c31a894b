import { commaListOf, listOf, parseQuery, rangeOf } from './amocrm-query.js';

describe('parseQuery (amoCRM list parameters)', () => {
  it('reads the three list forms as one array', () => {
    expect(parseQuery('filter[id][0]=1&filter[id][1]=2').filter).toEqual({ id: ['1', '2'] });
    expect(parseQuery('filter[id][]=1&filter[id][]=2').filter).toEqual({ id: ['1', '2'] });
    expect(parseQuery('filter[pipeline_id]=5597036&filter[pipeline_id]=5635013').filter).toEqual({
      pipeline_id: ['5597036', '5635013'],
    });
  });

  it('nests ranges and status pairs, decodes percent and plus', () => {
    const q = parseQuery(
      '?filter[updated_at][from]=1668784000&filter[updated_at][to]=1671165900' +
        '&filter[statuses][0][pipeline_id]=7&filter[statuses][0][status_id]=142&query=%D0%A0%D0%BE%D0%BC+1&limit=250',
    );
    expect(q).toEqual({
      filter: {
        updated_at: { from: '1668784000', to: '1671165900' },
        statuses: [{ pipeline_id: '7', status_id: '142' }],
      },
      query: 'Ром 1',
      limit: '250',
    });
    expect(rangeOf((q.filter as Record<string, never>).updated_at)).toEqual({
      from: 1668784000,
      to: 1671165900,
    });
    expect(rangeOf('17')).toEqual({ from: 17 });
  });

  it('lists single values, arrays, comma lists and keyed objects', () => {
    expect(listOf('7')).toEqual(['7']);
    expect(listOf('ООО "А, Б"')).toEqual(['ООО "А, Б"']);
    expect(commaListOf('contacts, leads')).toEqual(['contacts', 'leads']);
    expect(listOf(['1', '', '2'])).toEqual(['1', '2']);
    expect(listOf({ 5: '1', 9: '2' })).toEqual(['1', '2']);
    expect(listOf(undefined)).toEqual([]);
  });
});
