import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { generateDataset } from '../../sim/dataset/index.js';
import { simMapping } from '../../sim/mapping.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { ConflictTodoReader } from '../../src/todos/conflict-todo.reader.js';
import { ConflictTodosService, type UpkeepSummary } from '../../src/todos/conflict-todos.service.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;
const dataset = generateDataset({
  seed: 16,
  counterparties: 24,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
});

/** Titles and INNs are owned by both sides with the manual strategy; to-dos on, 48 h, fallback user 2. */
function manualMapping(): Mapping {
  const m = simMapping();
  m.counterparties.fields.title = { owner: 'both', strategy: 'manual', transforms: ['trim'] };
  m.counterparties.fields.inn = {
    owner: 'both',
    strategy: 'manual',
    transforms: ['trim'],
    pushInvalid: true,
  };
  m.conflicts = { todo: true, todoDeadlineHours: 48, todoFallbackUser: '2' };
  return m;
}

/**
 * Issue 16 on real HTTP (the app, the fake 1C and the fake Bitrix24 portal, a real PostgreSQL): a manual
 * conflict becomes a to-do for the company's responsible user with the deadline; a second conflict on the
 * record rewrites it; completing it in the portal resolves the conflicts with the CRM's values and the next
 * sync does not reopen them; resolving through the API completes it; overdue to-dos are counted; a record
 * whose responsible user is dismissed gets its to-do to the fallback user, with a warning.
 */
describe('conflict to-dos in the CRM', () => {
  let sims: RunningSimulators;
  let t: TestApp;
  let svc: ConflictTodosService;
  const portal = () => sims.bitrix24.sim.state;
  const api = async (path: string, key: string, init: RequestInit = {}) => {
    const res = await fetch(`${t.url}/api/v1${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Row };
  };
  const sync = async (body: object = { entities: ['counterparties'] }) => {
    const started = await api('/sync/runs', t.keys.operator, { method: 'POST', body: JSON.stringify(body) });
    expect(started.status).toBe(202);
    for (let i = 0; i < 600; i++) {
      const r = await api(`/sync/runs/${String(started.body.id)}`, t.keys.viewer);
      if (!['queued', 'running'].includes(String(r.body.status))) {
        expect(r.body.status).toBe('succeeded');
        // The runner tells the to-do service a moment after the status is saved: let that pass run.
        await new Promise((res) => setTimeout(res, 100));
        await svc.idle();
        return r.body;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the sync run did not finish');
  };
  /** One upkeep pass of this test's own (after any pass a sync run or a resolution asked for). */
  const upkeep = async (now?: Date): Promise<UpkeepSummary> => {
    for (;;) {
      await svc.idle();
      const s = await svc.upkeep(now);
      if (s) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const counterparty = (i: number) =>
    sims.onec.sim.rows('counterparties').filter((r: Row) => !r.IsFolder && !r.DeletionMark)[i] as Row;
  const company = (ref: string) =>
    portal()
      .list('companies')
      .find((c) => c.originId === ref && c.originatorId === 'sverka-1c')!;
  /** Both sides change the title of counterparty i: a manual conflict on its company. */
  const conflictOnTitle = (i: number, tag: string) => {
    const ref = String(counterparty(i).Ref_Key);
    portal().update('companies', company(ref).id, { title: `CRM ${tag}` });
    sims.onec.sim.update('counterparties', ref, { Description: `1С ${tag}` });
    return ref;
  };
  const openConflicts = async (ref: string) =>
    ((await api('/conflicts?status=open&limit=1000', t.keys.viewer)).body.items as Row[]).filter(
      (c) => c.onecRef === ref,
    );
  const todosOn = (ref: string) =>
    portal()
      .todos.list()
      .filter((a) => a.OWNER_TYPE_ID === '4' && a.OWNER_ID === String(company(ref).id));
  const gauge = async () =>
    /sverka_conflicts_overdue\{entity="counterparties"\} (\d+)/.exec(
      await (await fetch(`${t.url}/metrics`)).text(),
    )?.[1];

  beforeAll(async () => {
    sims = await startSimulators({ dataset, bitrixLimits: false });
    t = await startTestApp({ env: simulatorEnv(sims), mapping: manualMapping() });
    svc = t.app.get(ConflictTodosService);
    await sync();
  });
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  it('a conflict opens a to-do on the company for its assignedById, deadline now + 48 h, naming the field and both values', async () => {
    const ref = String(counterparty(0).Ref_Key);
    portal().update('companies', company(ref).id, { assignedById: 3 });
    conflictOnTitle(0, 'Альфа');
    const before = Date.now();
    await sync();
    // The finished run asks for a pass by itself; this one makes sure it ran.
    expect(await upkeep()).toMatchObject({ failed: 0 });
    const [todo] = todosOn(ref);
    expect(todosOn(ref)).toHaveLength(1);
    expect(todo).toMatchObject({ PROVIDER_ID: 'CRM_TODO', RESPONSIBLE_ID: '3', COMPLETED: 'N' });
    const due = Date.parse(String(todo.DEADLINE)) - 48 * 3_600_000;
    expect(due).toBeGreaterThanOrEqual(before - 1000);
    expect(due).toBeLessThanOrEqual(Date.now());
    expect(todo.SUBJECT).toBe('Сверка с 1С: проверьте 1 поле — компания «CRM Альфа»');
    expect(todo.DESCRIPTION).toContain('1. Название\n   в 1С: 1С Альфа\n   в CRM: CRM Альфа');
    expect(todo.DESCRIPTION).toContain('завершите это дело');
    // Nothing more to do: a pass with no change writes nothing.
    sims.bitrix24.sim.clearCalls();
    expect(await upkeep()).toMatchObject({ created: 0, updated: 0, closed: 0 });
    expect(sims.bitrix24.sim.calls.map((c) => c.method)).toEqual(['crm.activity.list']);
  });

  it('a second conflict on the record rewrites the same to-do (no second one); its deadline stays', async () => {
    const ref = String(counterparty(0).Ref_Key);
    const [first] = todosOn(ref);
    const req = portal()
      .requisites()
      .find((r) => r.XML_ID === ref)!;
    portal().updateRequisite(req.ID, { RQ_INN: '500100732259' });
    sims.onec.sim.update('counterparties', ref, { ИНН: '7736050003' });
    await sync();
    expect(await upkeep()).toMatchObject({ created: 0, failed: 0 });
    expect(todosOn(ref)).toHaveLength(1);
    const [todo] = todosOn(ref);
    expect(todo.ID).toBe(first.ID);
    expect(todo.DEADLINE).toBe(first.DEADLINE);
    expect(todo.SUBJECT).toBe('Сверка с 1С: проверьте 2 поля — компания «CRM Альфа»');
    expect(todo.DESCRIPTION).toContain('2. ИНН\n   в 1С: 7736050003\n   в CRM: 500100732259');
  });

  it('completing it in the portal resolves the conflicts with the CRM values read then; the next sync does not reopen them', async () => {
    const ref = String(counterparty(0).Ref_Key);
    const [todo] = todosOn(ref);
    // The manager corrects the title their own way, keeps their INN, and completes the to-do.
    portal().update('companies', company(ref).id, { title: 'ООО «Альфа» (проверено)' });
    portal().todos.complete(todo.ID, 3);
    expect(await upkeep()).toMatchObject({ completed: 1, resolved: 2 });
    expect(await openConflicts(ref)).toEqual([]);
    const resolved = (
      (await api('/conflicts?status=resolved&limit=1000', t.keys.viewer)).body.items as Row[]
    ).filter((c) => c.onecRef === ref);
    expect(resolved.map((c) => [c.field, c.resolution, c.crmValue, c.resolvedBy]).sort()).toEqual([
      ['inn', 'crm', '500100732259', `crm-todo:${todo.ID}`],
      ['title', 'crm', 'ООО «Альфа» (проверено)', `crm-todo:${todo.ID}`],
    ]);
    await sync({ entities: ['counterparties'], full: true });
    await upkeep();
    expect(await openConflicts(ref)).toEqual([]);
    expect(company(ref).title).toBe('ООО «Альфа» (проверено)');
    expect(
      portal()
        .requisites()
        .find((r) => r.XML_ID === ref)!.RQ_INN,
    ).toBe('500100732259');
    expect(todosOn(ref)).toHaveLength(1);
  });

  it('resolving the conflicts through the API completes the to-do', async () => {
    const ref = conflictOnTitle(1, 'Бета');
    await sync();
    await upkeep();
    const [todo] = todosOn(ref);
    expect(todo.COMPLETED).toBe('N');
    const [c] = await openConflicts(ref);
    const r = await api(`/conflicts/${String(c.id)}/resolve`, t.keys.operator, {
      method: 'POST',
      body: '{"keep":"onec"}',
    });
    expect(r.status).toBe(200);
    // The resolution asks for a pass at once.
    await svc.idle();
    await upkeep();
    expect(portal().todos.get(todo.ID)).toMatchObject({ COMPLETED: 'Y', EDITOR_ID: '1' });
    expect(company(ref).title).toBe('1С Бета');
    const [row] = (await t.dataSource.query(`SELECT status FROM conflict_todo WHERE todo_id = $1`, [
      todo.ID,
    ])) as Row[];
    expect(row.status).toBe('closed');
  });

  it('overdue to-dos are counted (gauge and the report reader, with who is late)', async () => {
    const ref = conflictOnTitle(2, 'Гамма');
    portal().update('companies', company(ref).id, { assignedById: 4 });
    await sync();
    await upkeep();
    expect(await gauge()).toBe('0');
    const [todo] = todosOn(ref);
    // The manager moves the deadline to yesterday in the portal: the next pass reads it and counts it.
    portal().todos.moveDeadline(todo.ID, new Date(Date.now() - 24 * 3_600_000), 4);
    expect(await upkeep()).toMatchObject({ overdue: 1 });
    expect(await gauge()).toBe('1');
    const overdue = await new ConflictTodoReader(t.dataSource).overdueAt(new Date());
    expect(overdue).toMatchObject({
      total: 1,
      byEntity: { counterparties: 1, contacts: 0, deals: 0 },
      late: [{ responsibleId: '4', responsibleName: 'Ирина Клиентова', count: 1 }],
    });
    // Two days on, the first company's to-do is long closed; this one still counts.
    expect(
      (await new ConflictTodoReader(t.dataSource).overdueAt(new Date(Date.now() + 72 * 3_600_000)))?.total,
    ).toBe(1);
  });

  it('a record whose responsible user was dismissed: the to-do goes to the fallback user, with a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const ref = conflictOnTitle(3, 'Дельта');
      const id = company(ref).id;
      portal().update('companies', id, { assignedById: 5 });
      portal().todos.dismissUser(5);
      await sync();
      await upkeep();
      expect(todosOn(ref)).toHaveLength(1);
      expect(todosOn(ref)[0].RESPONSIBLE_ID).toBe('2');
      const [row] = (await t.dataSource.query(
        `SELECT responsible_id, responsible_name, fallback FROM conflict_todo WHERE entity = 'counterparties' AND crm_id = $1`,
        [String(id)],
      )) as Row[];
      expect(row).toEqual({ responsible_id: '2', responsible_name: 'Ольга Менеджерова', fallback: true });
      expect(warn.mock.calls.map((c) => String(c[0]))).toContain(
        `conflict to-dos: companies ${id} has a dismissed responsible user (5): the to-do goes to the fallback user 2`,
      );
    } finally {
      warn.mockRestore();
    }
  });
});
