import { AmoCrmAdapter } from '../../src/crm/amocrm/amocrm.adapter.js';
import { resetAccountWindows } from '../../src/crm/amocrm/request-window.js';
import type { CrmTodos } from '../../src/crm/crm.port.js';
import type { CrmTodoPage, CrmTodoWrite } from '../../src/crm/crm.types.js';
import { startAmoCrmSimulator, type AmoCrmSimulator } from '../../sim/amocrm/index.js';

/**
 * Contract: the amoCRM adapter's to-dos (tasks) against the fake account over real HTTP
 * (docs/protocols/amocrm.md#tasks).
 */
describe('amoCRM adapter: conflict to-dos as tasks', () => {
  let sim: AmoCrmSimulator;
  let todos: CrmTodos;
  let companies: number[];
  const [ADMIN, OLGA, PETR] = [504141, 504142, 504143];

  const todo = (
    recordId: number,
    title: string,
    responsibleId: number | null = PETR,
  ): CrmTodoWrite['todo'] => ({
    entity: 'companies',
    recordId: String(recordId),
    responsibleId: responsibleId === null ? null : String(responsibleId),
    deadline: '2026-12-03T09:00:00.000Z',
    title,
    description: 'Поле «Название»: в 1С «А», в CRM «Б»',
  });
  const tasks = () => sim.state.taskList() as Record<string, unknown>[];
  const changed = async (since: string) => {
    const pages: CrmTodoPage[] = [];
    for await (const p of todos.todosChangedSince(since)) pages.push(p);
    return pages;
  };

  beforeEach(async () => {
    resetAccountWindows();
    sim = await startAmoCrmSimulator({ limits: false });
    companies = [1, 2, 3].map((n) =>
      sim.state.add('companies', { name: `Компания ${n}`, responsible_user_id: PETR }),
    );
    todos = new AmoCrmAdapter({
      baseUrl: sim.url,
      token: sim.token,
      rps: 1000,
      retryScale: 0.002,
      windowMarginMs: 0,
    }).todos!;
  });
  afterEach(async () => {
    await sim.close();
  });

  it('makes tasks on the records in one request: «Связаться», text = title + description, due time, responsible', async () => {
    const r = await todos.upsertTodos([
      { key: 'a', todo: todo(companies[0], 'Конфликт А') },
      { key: 'b', todo: todo(companies[1], 'Конфликт Б', null) },
    ]);
    expect(r.map((x) => x.ok)).toEqual([true, true]);
    expect(sim.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/api/v4/tasks']);
    const [a, b] = tasks();
    expect(a).toMatchObject({
      id: Number((r[0] as { id: string }).id),
      entity_type: 'companies',
      entity_id: companies[0],
      task_type_id: 1,
      text: 'Конфликт А\n\nПоле «Название»: в 1С «А», в CRM «Б»',
      complete_till: Date.parse('2026-12-03T09:00:00Z') / 1000,
      responsible_user_id: PETR,
      is_completed: false,
    });
    // No responsible given: the token's user (amoCRM's default).
    expect(b.responsible_user_id).toBe(ADMIN);
  });

  it('rewrites an open task in place; a completed one is reported closed and not written', async () => {
    const [a, b] = await todos.upsertTodos([
      { key: 'a', todo: todo(companies[0], 'A') },
      { key: 'b', todo: todo(companies[1], 'B') },
    ]);
    const [ida, idb] = [a, b].map((x) => (x as { id: string }).id);
    sim.state.completeTask(Number(idb));
    const r = await todos.upsertTodos([
      { key: 'a', id: ida, todo: { ...todo(companies[0], 'A, 2 поля'), responsibleId: String(OLGA) } },
      { key: 'b', id: idb, todo: todo(companies[1], 'B, 2 поля') },
    ]);
    expect(r.map((x) => [x.key, x.ok, !x.ok && x.closed])).toEqual([
      ['a', true, false],
      ['b', false, true],
    ]);
    expect(tasks().map((t) => [t.id, String(t.text).split('\n')[0], t.responsible_user_id])).toEqual([
      [Number(ida), 'A, 2 поля', OLGA],
      [Number(idb), 'B', PETR],
    ]);
  });

  it('a create whose answer was lost is found on its record, not made twice', async () => {
    sim.setFaults({ lostResponseEvery: 1 });
    const [r] = await todos.upsertTodos([{ key: 'x', todo: todo(companies[2], 'Потерянный ответ') }]);
    expect(r.ok).toBe(true);
    expect(tasks()).toHaveLength(1);
  });

  it('changes since a cursor: completions read back; the cursor a minute before the newest change', async () => {
    const written = await todos.upsertTodos(
      companies.map((c, i) => ({ key: `k${i}`, todo: todo(c, `T${i}`) })),
    );
    const ids = written.map((x) => (x as { id: string }).id);
    const since = new Date(Date.now() - 2000).toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    sim.state.completeTask(Number(ids[1]));
    const pages = await changed(since);
    const seen = pages.flatMap((p) => p.todos);
    expect(seen.find((t) => t.id === ids[1])).toEqual({
      id: ids[1],
      completed: true,
      deadline: '2026-12-03T09:00:00.000Z',
      responsibleId: String(PETR),
    });
    const newest = Math.max(...tasks().map((t) => Number(t.updated_at)));
    expect(pages[0].cursor).toBe(new Date(Math.max(Date.parse(since), (newest - 60) * 1000)).toISOString());
    // Nothing changed after a cursor in the future of every change: one empty page.
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await changed(future)).toEqual([{ todos: [], cursor: future }]);
  });

  it('completes tasks in one request (again is harmless); reads them back by id', async () => {
    const written = await todos.upsertTodos(
      companies.map((c, i) => ({ key: `k${i}`, todo: todo(c, `T${i}`) })),
    );
    const ids = written.map((x) => (x as { id: string }).id);
    expect(await todos.completeTodos(ids.slice(0, 2))).toEqual([
      { id: ids[0], ok: true },
      { id: ids[1], ok: true },
    ]);
    expect((await todos.completeTodos([ids[0]]))[0]).toEqual({ id: ids[0], ok: true });
    expect((await todos.getTodos(ids)).map((t) => [t.id, t.completed])).toEqual([
      [ids[0], true],
      [ids[1], true],
      [ids[2], false],
    ]);
    expect(tasks()[0].result).toEqual({ text: 'Конфликты решены в Sverka' });
  });

  it("users: names and whether active, from the account's user list; unknown ones absent", async () => {
    sim.state.dismissUser(PETR);
    const users = await todos.users([String(OLGA), String(PETR), '1']);
    expect(users && [...users.values()]).toEqual([
      { id: String(OLGA), name: 'Ольга Менеджерова', active: true },
      { id: String(PETR), name: 'Пётр Продажин', active: false },
    ]);
  });
});
