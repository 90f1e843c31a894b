import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { resetAccountWindows } from '../../src/crm/amocrm/request-window.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { ConflictTodosService, type UpkeepSummary } from '../../src/todos/conflict-todos.service.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { simMapping } from '../../sim/mapping.js';
import { startSimulators, type RunningAmoCrmSimulators } from '../../sim/start-simulators.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(300_000);

/* eslint-disable @typescript-eslint/no-explicit-any -- fake account rows are probed field by field */
type Row = Record<string, any>;
const [OLGA, PETR, IRINA] = [504142, 504143, 504144];
const dataset = generateDataset({
  seed: 61,
  counterparties: 12,
  contactsPerCounterparty: 0,
  ordersPerCounterparty: 0,
  onecDuplicateRate: 0,
  crmDuplicateRate: 0,
  crmNewRate: 0,
  invalidRate: 0,
});

function manualMapping(): Mapping {
  const m = simMapping('amocrm');
  m.counterparties.fields.title = { owner: 'both', strategy: 'manual', transforms: ['trim'] };
  m.conflicts = { todo: true, todoDeadlineHours: 48, todoFallbackUser: String(OLGA) };
  return m;
}

/**
 * Issue 16 on amoCRM (the app, the fake 1C and the fake amoCRM account over real HTTP): a manual conflict
 * becomes a task «Связаться» on the company for its responsible user, due in 48 h; completing the task
 * resolves the conflict with the account's value and the next sync does not reopen it; resolving through
 * the API completes the task; a dismissed responsible user's record goes to the fallback user.
 */
describe('conflict to-dos on amoCRM', () => {
  let sims: RunningAmoCrmSimulators;
  let t: TestApp;
  let svc: ConflictTodosService;
  const amo = () => sims.amocrm.sim.state;
  const api = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${t.url}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${t.keys.operator}`, 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Row };
  };
  const sync = async (body: object = { entities: ['counterparties'] }) => {
    const started = await api('/sync/runs', { method: 'POST', body: JSON.stringify(body) });
    for (let i = 0; i < 600; i++) {
      const r = await api(`/sync/runs/${String(started.body.id)}`);
      if (!['queued', 'running'].includes(String(r.body.status))) {
        expect(r.body.status).toBe('succeeded');
        await new Promise((res) => setTimeout(res, 100));
        await svc.idle();
        return;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the sync run did not finish');
  };
  const upkeep = async (): Promise<UpkeepSummary> => {
    for (;;) {
      await svc.idle();
      const s = await svc.upkeep();
      if (s) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const ref = (i: number) =>
    String(
      (sims.onec.sim.rows('counterparties').filter((r: Row) => !r.IsFolder && !r.DeletionMark)[i] as Row)
        .Ref_Key,
    );
  const company = (r: string): Row =>
    amo()
      .list('companies')
      .find((c: Row) =>
        c.custom_fields_values?.some(
          (f: Row) => f.field_name === 'Ключ 1С' && f.values[0].value === `sverka-1c:${r}`,
        ),
      )!;
  const conflictOnTitle = (i: number, tag: string, responsible = PETR) => {
    const r = ref(i);
    amo().update('companies', company(r).id, { name: `CRM ${tag}`, responsible_user_id: responsible });
    sims.onec.sim.update('counterparties', r, { Description: `1С ${tag}` });
    return r;
  };
  const tasksOn = (r: string) =>
    (amo().taskList() as Row[]).filter((x) => x.entity_type === 'companies' && x.entity_id === company(r).id);
  const open = async (r: string) =>
    ((await api('/conflicts?status=open&limit=1000')).body.items as Row[]).filter((c) => c.onecRef === r);

  beforeAll(async () => {
    resetAccountWindows();
    sims = await startSimulators({ dataset, crm: 'amocrm', amocrmLimits: false });
    t = await startTestApp({
      env: {
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        CRM_KIND: 'amocrm',
        AMOCRM_BASE_URL: sims.amocrm.baseUrl,
        AMOCRM_TOKEN: sims.amocrm.token,
      },
      mapping: manualMapping(),
    });
    svc = t.app.get(ConflictTodosService);
    await sync();
  });
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  it('a conflict opens a task on the company for its responsible user, due in 48 h; completing it settles the conflict as the account holds it', async () => {
    const r = conflictOnTitle(0, 'Альфа');
    const before = Math.floor(Date.now() / 1000);
    await sync();
    await upkeep();
    const [task] = tasksOn(r);
    expect(tasksOn(r)).toHaveLength(1);
    expect(task).toMatchObject({ responsible_user_id: PETR, task_type_id: 1, is_completed: false });
    expect(task.complete_till - 48 * 3600).toBeGreaterThanOrEqual(before - 1);
    expect(task.complete_till - 48 * 3600).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(task.text).toContain('Сверка с 1С: проверьте 1 поле — компания «CRM Альфа»');
    expect(task.text).toContain('1. Название\n   в 1С: 1С Альфа\n   в CRM: CRM Альфа');
    // The manager settles it their way and completes the task.
    amo().update('companies', company(r).id, { name: 'ООО «Альфа» (проверено)' }, PETR);
    await new Promise((res) => setTimeout(res, 1100));
    amo().completeTask(task.id);
    expect(await upkeep()).toMatchObject({ completed: 1, resolved: 1 });
    expect(await open(r)).toEqual([]);
    const resolved = ((await api('/conflicts?status=resolved&limit=1000')).body.items as Row[]).find(
      (c) => c.onecRef === r,
    )!;
    expect(resolved).toMatchObject({
      resolution: 'crm',
      crmValue: 'ООО «Альфа» (проверено)',
      resolvedBy: `crm-todo:${task.id}`,
    });
    await sync({ entities: ['counterparties'], full: true });
    expect(await open(r)).toEqual([]);
    expect(company(r).name).toBe('ООО «Альфа» (проверено)');
  });

  it('resolving the conflict through the API completes the task', async () => {
    const r = conflictOnTitle(1, 'Бета', IRINA);
    await sync();
    await upkeep();
    const [task] = tasksOn(r);
    expect(task.responsible_user_id).toBe(IRINA);
    const [c] = await open(r);
    expect(
      (await api(`/conflicts/${String(c.id)}/resolve`, { method: 'POST', body: '{"keep":"onec"}' })).status,
    ).toBe(200);
    await upkeep();
    expect(tasksOn(r)[0]).toMatchObject({
      is_completed: true,
      result: { text: 'Конфликты решены в Sverka' },
    });
  });

  it('a company whose responsible user was dismissed: the task goes to the fallback user, with a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      const r = conflictOnTitle(2, 'Гамма', 504145);
      amo().dismissUser(504145);
      await sync();
      await upkeep();
      expect(tasksOn(r).map((x) => x.responsible_user_id)).toEqual([OLGA]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toContain(
        `conflict to-dos: companies ${company(r).id} has a dismissed responsible user (504145): the to-do goes to the fallback user ${OLGA}`,
      );
    } finally {
      warn.mockRestore();
    }
  });
});
