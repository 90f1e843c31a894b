import { Bitrix24Adapter } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../../src/crm/bitrix24/leaky-bucket.js';
import type { CrmTodos } from '../../src/crm/crm.port.js';
import type { CrmTodoPage, CrmTodoWrite } from '../../src/crm/crm.types.js';
import { startBitrix24Simulator, type RunningBitrix24Simulator } from '../../sim/bitrix24/index.js';

/**
 * Contract: the Bitrix24 adapter's to-dos against the fake portal over real HTTP
 * (docs/protocols/bitrix24.md#conflict-to-dos).
 */
describe('Bitrix24 adapter: conflict to-dos', () => {
  let sim: RunningBitrix24Simulator;
  let todos: CrmTodos;

  const todo = (
    recordId: string,
    title: string,
    responsibleId: string | null = '3',
  ): CrmTodoWrite['todo'] => ({
    entity: 'companies',
    recordId,
    responsibleId,
    deadline: '2026-12-03T09:00:00.000Z',
    title,
    description: `Поле «Название»: в 1С «А», в CRM «Б» (${title})`,
  });
  const changed = async (since: string) => {
    const pages: CrmTodoPage[] = [];
    for await (const p of todos.todosChangedSince(since)) pages.push(p);
    return pages;
  };

  beforeEach(async () => {
    resetPortalLimiters();
    sim = await startBitrix24Simulator({
      seed: {
        companies: Array.from({ length: 120 }, (_, i) => ({ title: `Компания ${i + 1}`, assignedById: 3 })),
      },
      limits: false,
    });
    todos = new Bitrix24Adapter({ webhookUrl: sim.webhookUrl, rps: 1000, burst: 1000, retryScale: 0.01 })
      .todos!;
  });
  afterEach(async () => {
    await sim.close();
  });

  it('creates to-dos on records in one batch, rewrites one in place; the portal holds exactly them', async () => {
    const created = await todos.upsertTodos([
      { key: 'a', todo: todo('1', 'Конфликт А') },
      { key: 'b', todo: todo('2', 'Конфликт Б', null) },
    ]);
    expect(created).toEqual([
      { key: 'a', ok: true, id: '1' },
      { key: 'b', ok: true, id: '2' },
    ]);
    expect(sim.calls.map((c) => c.method)).toEqual(['batch']);
    expect(sim.state.todos.get(1)).toMatchObject({
      OWNER_TYPE_ID: '4',
      OWNER_ID: '1',
      SUBJECT: 'Конфликт А',
      RESPONSIBLE_ID: '3',
      DEADLINE: '2026-12-03T12:00:00+03:00',
      AUTHOR_ID: '1',
      COMPLETED: 'N',
    });
    // No responsible given: the webhook's user (the portal's default).
    expect(sim.state.todos.get(2)).toMatchObject({ RESPONSIBLE_ID: '1' });
    const [upd] = await todos.upsertTodos([
      { key: 'a', id: '1', todo: { ...todo('1', 'Конфликт А, 2 поля'), responsibleId: '4' } },
    ]);
    expect(upd).toEqual({ key: 'a', ok: true, id: '1' });
    expect(sim.state.todos.list()).toHaveLength(2);
    expect(sim.state.todos.get(1)).toMatchObject({ SUBJECT: 'Конфликт А, 2 поля', RESPONSIBLE_ID: '4' });
  });

  it('a rewrite of a to-do completed or deleted in the portal is reported as closed; a record gone is an error', async () => {
    await todos.upsertTodos([1, 2].map((n) => ({ key: `k${n}`, todo: todo(String(n), `T${n}`) })));
    sim.state.todos.complete(1);
    sim.state.todos.delete(2);
    sim.state.delete('companies', 3);
    const r = await todos.upsertTodos([
      { key: 'k1', id: '1', todo: todo('1', 'T1+') },
      { key: 'k2', id: '2', todo: todo('2', 'T2+') },
      { key: 'k3', todo: todo('3', 'T3') },
    ]);
    expect(r.map((x) => [x.key, x.ok, !x.ok && x.closed, !x.ok && x.error.crmCode])).toEqual([
      ['k1', false, true, 'CAN_NOT_UPDATE_COMPLETED_TODO'],
      ['k2', false, true, 'NOT_FOUND'],
      ['k3', false, false, 'OWNER_NOT_FOUND'],
    ]);
  });

  it('a create whose answer was lost is found on the portal, not made twice', async () => {
    sim.setFaults({ lostResponseEvery: 1 });
    const p = todos.upsertTodos([{ key: 'x', todo: todo('5', 'Потерянный ответ') }]);
    // The next request (the look-up) is not a write: it is answered.
    const [r] = await p;
    expect(r).toEqual({ key: 'x', ok: true, id: '1' });
    expect(sim.state.todos.list()).toHaveLength(1);
  });

  it('changes since a cursor: one request when few changed, completions and moved deadlines read, pages of 50', async () => {
    const writes = Array.from({ length: 120 }, (_, i) => ({
      key: `k${i}`,
      todo: todo(String(i + 1), `T${i}`),
    }));
    expect((await todos.upsertTodos(writes)).filter((r) => !r.ok)).toEqual([]);
    // Sverka's own writes are not read back: nothing people changed yet.
    expect((await changed(new Date(Date.now() - 600_000).toISOString()))[0].todos).toEqual([]);
    // A manager moves every deadline: 120 to-dos changed since ten minutes ago, in 3 pages (ids ascending, start=-1).
    for (let id = 1; id <= 120; id++) sim.state.todos.moveDeadline(id, new Date('2026-12-05T09:00:00Z'), 4);
    sim.clearCalls();
    const all = await changed(new Date(Date.now() - 600_000).toISOString());
    expect(all.map((p) => p.todos.length)).toEqual([50, 50, 20]);
    expect(sim.calls.map((c) => c.method)).toEqual([
      'crm.activity.list',
      'crm.activity.list',
      'crm.activity.list',
    ]);
    expect(sim.calls[0].params).toMatchObject({
      filter: { PROVIDER_ID: 'CRM_TODO', AUTHOR_ID: '1', '!EDITOR_ID': '1' },
      order: { ID: 'ASC' },
      start: -1,
    });
    expect(sim.calls[1].params).toMatchObject({ filter: { '>ID': 50 } });
    // The next cursor: a minute before the portal's clock at the first page (one for all pages).
    const cursor = all[0].cursor;
    expect(all.map((p) => p.cursor)).toEqual([cursor, cursor, cursor]);
    expect(Math.abs(Date.parse(cursor) - (Date.now() - 60_000))).toBeLessThan(5_000);
    // A cursor is never moved back before the time asked for.
    const recent = new Date(Date.now() - 30_000).toISOString();
    expect((await changed(recent))[0].cursor).toBe(recent);
    // Only what changed after the cursor is read back (times are whole seconds on the portal).
    await new Promise((r) => setTimeout(r, 2100));
    const since = new Date(Date.now() - 500).toISOString();
    sim.state.todos.complete(7);
    sim.state.todos.moveDeadline(9, new Date('2026-12-10T09:00:00Z'));
    sim.clearCalls();
    const few = await changed(since);
    expect(sim.calls).toHaveLength(1);
    expect(few[0].todos).toEqual([
      { id: '7', completed: true, deadline: '2026-12-05T09:00:00.000Z', responsibleId: '3' },
      { id: '9', completed: false, deadline: '2026-12-10T09:00:00.000Z', responsibleId: '3' },
    ]);
  });

  it('completes to-dos in one batch (again is harmless); reads them back by id; a deleted one is absent', async () => {
    await todos.upsertTodos([1, 2, 3].map((n) => ({ key: `k${n}`, todo: todo(String(n), `T${n}`) })));
    sim.state.todos.delete(3);
    sim.clearCalls();
    expect(await todos.completeTodos(['1', '2'])).toEqual([
      { id: '1', ok: true },
      { id: '2', ok: true },
    ]);
    expect(sim.calls.map((c) => c.method)).toEqual(['batch']);
    expect((await todos.completeTodos(['1']))[0]).toEqual({ id: '1', ok: true });
    const got = await todos.getTodos(['1', '2', '3']);
    expect(got.map((t) => [t.id, t.completed])).toEqual([
      ['1', true],
      ['2', true],
    ]);
  });

  it('users: known ones with their names and whether active; unknown ones absent', async () => {
    sim.state.todos.dismissUser(4);
    const users = await todos.users(['2', '4', '404']);
    expect(users && [...users.values()]).toEqual([
      { id: '2', name: 'Ольга Менеджерова', active: true },
      { id: '4', name: 'Ирина Клиентова', active: false },
    ]);
  });

  it('users: a webhook without the user scope gets null (cannot tell), not a failure', async () => {
    sim.setFaults({ forbid: 'scope' });
    expect(await todos.users(['2'])).toBeNull();
  });
});
