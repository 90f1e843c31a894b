import { mulberry32 } from '../common/prng.js';
import { Bitrix24State, compileFilter } from './bitrix24-state.js';

/**
 * The id index of the fake portal only narrows: for any filter, crm.item.list and crm.requisite.list
 * answer what the compiled filter over every row answers (the prefixes of
 * docs/protocols/bitrix24.md#item-methods, docs/protocols/bitrix24.md#requisites).
 */
describe('Bitrix24State list narrowing by the id index', () => {
  const rnd = mulberry32(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

  /** A portal with holes: ids 1..400, about a third deleted, some added afterwards, requisites alike. */
  function portal(): Bitrix24State {
    const s = new Bitrix24State({
      companies: Array.from({ length: 300 }, (_, i) => ({ id: i * 2 + 1, title: `C${i}` })),
    });
    for (let i = 0; i < 100; i++) s.add('companies', { title: `N${i}` });
    for (const id of [...s.list('companies').map((c) => c.id)]) if (rnd() < 0.3) s.delete('companies', id);
    for (const c of s.list('companies').slice(0, 150))
      s.addRequisite({ ENTITY_TYPE_ID: 4, ENTITY_ID: c.id, PRESET_ID: 1, NAME: 'Организация' });
    for (let id = 1; id < 150; id++) if (rnd() < 0.3) s.deleteRequisite(id);
    return s;
  }

  /** Everything the list should answer, by brute force over all rows (no index). */
  function expected(
    rows: Record<string, unknown>[],
    filter: Record<string, unknown>,
    key: string,
    desc: boolean,
  ): number[] {
    const pred = compileFilter(filter, () => true, key);
    const ids = rows
      .filter(pred)
      .map((r) => Number(r[key]))
      .sort((a, b) => a - b);
    return desc ? ids.reverse() : ids;
  }

  const bounds = (key: string): Record<string, unknown>[] => {
    const v = () => pick<unknown>([Math.floor(rnd() * 450), String(Math.floor(rnd() * 450)), 0, -5, 1.5]);
    return [
      { [`>=${key}`]: v(), [`<${key}`]: v() },
      { [`>${key}`]: v(), [`<=${key}`]: v() },
      { [`>=${key}`]: v() },
      { [`<${key}`]: v() },
      { [`=${key}`]: v() },
      { [key]: v() },
      { [`>=${key}`]: v(), [`>${key}`]: v(), [`<${key}`]: v(), [`<=${key}`]: v() },
      { [`>=${key}`]: null },
      { [`>=${key}`]: 'abc' },
      { [`>=${key}`]: [7] },
      { logic: 'OR', [`<${key}`]: 20, [`>${key}`]: 380 },
    ];
  };

  it('crm.item.list with >=id/<id/>id/<=id/=id, ascending and descending, equals a full scan', () => {
    const s = portal();
    const all = s.list('companies') as Record<string, unknown>[];
    for (let round = 0; round < 40; round++)
      for (const filter of bounds('id'))
        for (const desc of [false, true]) {
          const order = { id: desc ? 'DESC' : 'ASC' };
          const want = expected(all, filter, 'id', desc);
          const page = s.itemList(4, { select: ['id'], filter, order, start: -1 });
          expect(page.items.map((i) => i.id)).toEqual(want.slice(0, 50));
          expect(page.total).toBe(0);
          const counted = s.itemList(4, { select: ['id'], filter, order, start: 0 });
          expect(counted.total).toBe(want.length);
          expect(counted.items.map((i) => i.id)).toEqual(want.slice(0, 50));
        }
  });

  it('crm.requisite.list with >=ID/<ID/>ID/<=ID/=ID (digit-string IDs), both orders, equals a full scan', () => {
    const s = portal();
    const all = s.requisites() as Record<string, unknown>[];
    for (let round = 0; round < 40; round++)
      for (const filter of bounds('ID'))
        for (const desc of [false, true]) {
          const order = { ID: desc ? 'DESC' : 'ASC' };
          const f = { ENTITY_TYPE_ID: 4, ...filter };
          const want = expected(all, f, 'ID', desc);
          const page = s.requisiteList({ select: ['ID'], filter: f, order, start: -1 });
          expect(page.rows.map((r) => Number(r.ID))).toEqual(want.slice(0, 50));
          const counted = s.requisiteList({ select: ['ID'], filter: f, order });
          expect(counted.total).toBe(want.length);
          expect(counted.rows.map((r) => Number(r.ID))).toEqual(want.slice(0, 50));
        }
  });

  it('keeps the index right through adds and deletes between lists', () => {
    const s = portal();
    const ids = () => s.itemList(4, { select: ['id'], filter: { '>=id': 1 }, start: 0 }).total;
    const before = ids();
    const added = s.add('companies', { title: 'new' });
    expect(s.itemList(4, { select: ['id'], filter: { '>=id': added.id }, start: -1 }).items).toEqual([
      { id: added.id },
    ]);
    s.delete('companies', added.id);
    expect(s.itemList(4, { select: ['id'], filter: { '>=id': added.id }, start: -1 }).items).toEqual([]);
    expect(ids()).toBe(before);
    const rq = s.addRequisite({ ENTITY_TYPE_ID: 4, ENTITY_ID: s.list('companies')[0].id, PRESET_ID: 1 });
    expect(s.requisiteList({ filter: { '>=ID': rq }, select: ['ID'], start: -1 }).rows).toEqual([
      { ID: String(rq) },
    ]);
    s.deleteRequisite(rq);
    expect(s.requisiteList({ filter: { '>=ID': rq }, select: ['ID'], start: -1 }).rows).toEqual([]);
  });

  it('answers the highest id by order DESC + start=-1 on a large portal', () => {
    const s = new Bitrix24State({
      companies: Array.from({ length: 200_000 }, (_, i) => ({ id: i + 1, title: `C${i}` })),
    });
    s.delete('companies', 200_000);
    const top = s.itemList(4, { select: ['id'], order: { id: 'DESC' }, start: -1 });
    expect(top.items[0]).toEqual({ id: 199_999 });
    expect(top.items).toHaveLength(50);
    const range = s.itemList(4, {
      select: ['id'],
      order: { id: 'ASC' },
      filter: { '>=id': 150_001, '<id': 150_004 },
      start: -1,
    });
    expect(range.items.map((i) => i.id)).toEqual([150_001, 150_002, 150_003]);
  });
});
