import { formatTable } from './format-table.js';

describe('formatTable', () => {
  it('lines columns up whatever the widths of the cells', () => {
    const out = formatTable(
      ['name', 'role', 'last used'],
      [
        ['a-very-long-key-name-for-grafana', 'viewer', '-'],
        ['demo', 'admin', '2026-11-29T10:00:00.000Z'],
      ],
    );
    expect(out.split('\n')).toEqual([
      'name                              role    last used',
      'a-very-long-key-name-for-grafana  viewer  -',
      'demo                              admin   2026-11-29T10:00:00.000Z',
    ]);
  });

  it('counts Cyrillic letters as one column each', () => {
    expect(
      formatTable(
        ['name', 'role'],
        [
          ['интеграция', 'admin'],
          ['x', 'viewer'],
        ],
      ).split('\n'),
    ).toEqual(['name        role', 'интеграция  admin', 'x           viewer']);
  });

  it('prints the header alone when there are no rows', () => {
    expect(formatTable(['name', 'role'], [])).toBe('name  role');
  });
});
