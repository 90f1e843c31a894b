import { jest } from '@jest/globals';
import { resetAccountWindows } from '../../src/crm/amocrm/request-window.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningAmoCrmSimulators } from '../../sim/start-simulators.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;
type Stats = Record<string, Record<string, number>>;

/**
 * Go-live on amoCRM (real HTTP to the fake 1C and the fake amoCRM account at 7 requests a second, a real
 * PostgreSQL, the service over REST): a dry run writes nothing and plans what the real run does; a
 * manager's company with the counterparty's INN and KPP is linked, not duplicated; two with one INN wait
 * for a decision, and the decision is carried out by the next run.
 */
describe('go-live on amoCRM', () => {
  let sims: RunningAmoCrmSimulators;
  let t: TestApp;
  const api = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${t.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Row };
  };
  const sync = async (body: Row = {}) => {
    const a = await api('POST', '/sync/runs', t.keys.operator, body);
    expect(a.status).toBe(202);
    for (let i = 0; i < 3000; i++) {
      const r = await api('GET', `/sync/runs/${String(a.body.id)}`, t.keys.viewer);
      if (!['queued', 'running'].includes(String(r.body.status))) return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the run did not finish');
  };
  const field = (name: string) => sims.amocrm.sim.state.field('companies', name)!.id;
  const managerCompany = (title: string, inn: string, kpp: string) =>
    String(
      sims.amocrm.sim.state.add('companies', {
        name: title,
        custom_fields_values: [
          { field_id: field('ИНН'), values: [{ value: inn }] },
          { field_id: field('КПП'), values: [{ value: kpp }] },
        ],
      }),
    );
  const keyOf = (id: string) =>
    (
      (sims.amocrm.sim.state.get('companies', Number(id))!.custom_fields_values as
        { field_id: number; values: { value: string }[] }[] | null) ?? []
    ).find((f) => f.field_id === field('Ключ 1С'))?.values[0]?.value ?? null;
  const companiesWithKey = (ref: string) =>
    sims.amocrm.sim.state.list('companies').filter((c) => keyOf(String(c.id)) === `sverka-1c:${ref}`);

  let a: Row;
  let d: Row;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    resetAccountWindows();
    const dataset = generateDataset({
      seed: 17,
      counterparties: 12,
      contactsPerCounterparty: 0,
      ordersPerCounterparty: 0,
      invalidRate: 0,
      onecDuplicateRate: 0,
      crmDuplicateRate: 0,
      crmNewRate: 0,
    });
    sims = (await startSimulators({ dataset, crm: 'amocrm' })) as RunningAmoCrmSimulators;
    t = await startTestApp({ env: simulatorEnv(sims) });
    const legal = (sims.onec.sim.rows('counterparties') as Row[]).filter(
      (r) => !r.IsFolder && !r.DeletionMark && String(r.ИНН).length === 10 && String(r.КПП).length === 9,
    );
    [a, d] = legal;
    ids.a = managerCompany('Альфа (менеджер)', String(a.ИНН), String(a.КПП));
    ids.d1 = managerCompany('Дельта первая', String(d.ИНН), '');
    ids.d2 = managerCompany('Дельта вторая', String(d.ИНН), String(d.КПП));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  it('dry run: no write, the plan; the real run links a, holds d, and matches the plan', async () => {
    const writes = sims.amocrm.sim.summary().writeRequests;
    const dry = await sync({ dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(sims.amocrm.sim.summary().writeRequests).toBe(writes);
    const plan = (dry.summary as { plan: Stats }).plan;
    const live = (sims.onec.sim.rows('counterparties') as Row[]).filter(
      (r) => !r.IsFolder && !r.DeletionMark,
    ).length;
    expect(plan.counterparties).toMatchObject({ link: 1, review: 1, create: live - 2 });

    const run = await sync();
    expect(run.status).toBe('succeeded');
    const s = (run.stats as Stats).counterparties;
    expect([s.created, s.linked, s.held]).toEqual([plan.counterparties.create, 1, 1]);
    expect(companiesWithKey(String(a.Ref_Key)).map((c) => String(c.id))).toEqual([ids.a]);
    expect(sims.amocrm.sim.state.get('companies', Number(ids.a))!.name).toBe(String(a.Description).trim());
    expect(companiesWithKey(String(d.Ref_Key))).toEqual([]);
  });

  it('the review item is resolved to one candidate and the next run links it', async () => {
    const open = await api('GET', '/matches?status=open', t.keys.viewer);
    expect(open.body.total).toBe(1);
    const item = (open.body.items as Row[])[0];
    expect(item.onecRef).toBe(d.Ref_Key);
    expect((item.candidates as Row[]).map((c) => c.crmId).sort()).toEqual([ids.d1, ids.d2].sort());
    const ok = await api('POST', `/matches/${String(item.id)}/resolve`, t.keys.operator, { crmId: ids.d1 });
    expect(ok.status).toBe(200);
    expect((await sync()).status).toBe('succeeded');
    expect(companiesWithKey(String(d.Ref_Key)).map((c) => String(c.id))).toEqual([ids.d1]);
    expect(keyOf(ids.d2)).toBeNull();
  });
});
