import { jest } from '@jest/globals';
import { simMapping } from '../../sim/mapping.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { crmWriteCount } from '../factories/sync-harness.js';
import { simulatorEnv } from '../support/simulator-env.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;
const dataset = generateDataset({
  seed: 7,
  counterparties: 60,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
});

/** A mapping where the company title is owned by both sides with `strategy`. */
function mappingWith(strategy: 'onec_wins' | 'last_write_wins' | 'manual'): Mapping {
  const m = simMapping();
  m.counterparties.fields.title = { owner: 'both', strategy, transforms: ['trim'] };
  return m;
}

/**
 * The application over REST (real HTTP, real database, the Bitrix24 and 1C simulators): 1C changes
 * propagate, a CRM user's edit of an owned field follows each strategy, a manual conflict opens and is
 * resolved through /api/v1/conflicts, a second trigger while one is active gets 409.
 */
describe('sync REST and field strategies', () => {
  let sims: RunningSimulators;
  let t: TestApp;
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
  const waitRun = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const r = await api(`/sync/runs/${id}`, t.keys.viewer);
      if (!['queued', 'running'].includes(String(r.body.status))) return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the run did not finish');
  };
  const runner = (m: Mapping) => {
    const r = t.app.get(SyncRunnerService);
    (r as unknown as { mapping: Mapping }).mapping = m;
    return r;
  };
  const company = (ref: string) =>
    sims.bitrix24.sim.state
      .list('companies')
      .find((c) => c.originId === ref && c.originatorId === 'sverka-1c')!;
  const someCounterparty = (i: number) =>
    sims.onec.sim.rows('counterparties').filter((r: Row) => !r.IsFolder && !r.DeletionMark)[i] as Row;

  beforeAll(async () => {
    sims = await startSimulators({ dataset, bitrixLimits: false });
    t = await startTestApp({ env: simulatorEnv(sims) });
  });
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  it('POST /sync/runs runs the first sync through the queue; a second trigger while active is 409 naming it', async () => {
    const a = await api('/sync/runs', t.keys.operator, { method: 'POST', body: JSON.stringify({}) });
    expect(a.status).toBe(202);
    expect(a.body.status).toBe('queued');
    const b = await api('/sync/runs', t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ full: true }),
    });
    if (b.status === 409) expect(b.body.activeRunId).toBe(a.body.id);
    const run = await waitRun(String(a.body.id));
    expect(run.status).toBe('succeeded');
    expect((run.stats as Row).counterparties).toMatchObject({ created: 60 });
    if (b.status === 202) await waitRun(String(b.body.id));
    expect(
      (await api('/sync/runs', t.keys.operator, { method: 'POST', body: JSON.stringify({ bogus: 1 }) }))
        .status,
    ).toBe(400);
    expect(
      (await api('/sync/runs', t.keys.viewer, { method: 'POST', body: JSON.stringify({}) })).status,
    ).toBe(403);
    const list = await api('/sync/runs?limit=1', t.keys.viewer);
    expect((list.body.items as Row[]).length).toBe(1);
    const status = await api('/sync/status', t.keys.viewer);
    expect((status.body.entities as Row[]).map((e) => e.entity)).toEqual([
      'counterparties',
      'contacts',
      'deals',
    ]);
    expect((status.body.entities as Row[])[0].lastSuccessAt).not.toBeNull();
    // Audit events for the trigger and the run; metrics (README.md#prometheus-and-grafana).
    const audit = (await t.dataSource.query(
      `SELECT action, outcome FROM audit_event WHERE target = $1 ORDER BY id`,
      [a.body.id],
    )) as Row[];
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['sync.run.start', 'sync.run.finish']));
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/sverka_sync_records_total\{entity="counterparties",result="created"\} 60/);
    expect(metrics).toMatch(/sverka_sync_last_success_timestamp_seconds\{entity="deals"\} \d+/);
  });

  it('1C changes propagate (title, deletion mark → flagged, not deleted) and nothing else is written', async () => {
    const cp = someCounterparty(0);
    sims.onec.sim.update('counterparties', String(cp.Ref_Key), { Description: 'ООО «Новое имя»' });
    const del = someCounterparty(1);
    sims.onec.sim.markDeleted('counterparties', String(del.Ref_Key));
    sims.bitrix24.sim.clearCalls();
    const run = await runner(simMapping()).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(run.stats.counterparties).toMatchObject({ updated: 1, created: 0 });
    expect(company(String(cp.Ref_Key)).title).toBe('ООО «Новое имя»');
    expect(company(String(del.Ref_Key))).toBeDefined();
    const [link] = (await t.dataSource.query(`SELECT flagged_at FROM entity_link WHERE onec_ref = $1`, [
      del.Ref_Key,
    ])) as Row[];
    expect(link.flagged_at).not.toBeNull();
    const req = sims.bitrix24.sim.state.requisites().find((r) => r.XML_ID === cp.Ref_Key)!;
    expect(req.RQ_COMPANY_NAME).toBe('ООО «Новое имя»');
    expect(crmWriteCount(sims.bitrix24.sim)).toBe(2); // the company and its requisite
  });

  it('a CRM edit of a 1C-owned field is overwritten (onec owner) and detected', async () => {
    const cp = someCounterparty(2);
    const c = company(String(cp.Ref_Key));
    sims.bitrix24.sim.state.update('companies', c.id, { title: 'Переименовано в CRM' });
    await runner(simMapping()).runNow({ trigger: 'cli', entities: ['counterparties'], full: true });
    expect(company(String(cp.Ref_Key)).title).toBe(String(cp.Description).trim());
  });

  it('both-owned title: only the CRM changed → kept; both changed → onec_wins writes 1C', async () => {
    const cp = someCounterparty(3);
    const ref = String(cp.Ref_Key);
    sims.bitrix24.sim.state.update('companies', company(ref).id, { title: 'CRM-only edit' });
    await runner(mappingWith('onec_wins')).runNow({
      trigger: 'cli',
      entities: ['counterparties'],
      full: true,
    });
    expect(company(ref).title).toBe('CRM-only edit');
    sims.onec.sim.update('counterparties', ref, { Description: 'Изменено в 1С' });
    await runner(mappingWith('onec_wins')).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(company(ref).title).toBe('Изменено в 1С');
  });

  it('last_write_wins: a CRM edit after 1C change was seen wins; a later 1C change wins again', async () => {
    const cp = someCounterparty(4);
    const ref = String(cp.Ref_Key);
    const m = mappingWith('last_write_wins');
    // 1C changes and is seen by a run that fails to reach... simulate: CRM edited, then 1C edited → 1C is later.
    sims.bitrix24.sim.state.update('companies', company(ref).id, { title: 'CRM first' });
    await new Promise((r) => setTimeout(r, 1100));
    sims.onec.sim.update('counterparties', ref, { Description: '1С позже' });
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(company(ref).title).toBe('1С позже');
    // The CRM edits after sync saw the 1C version, then a full run: the CRM edit is newer and stays.
    await new Promise((r) => setTimeout(r, 1100));
    sims.bitrix24.sim.state.update('companies', company(ref).id, { title: 'CRM later' });
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'], full: true });
    expect(company(ref).title).toBe('CRM later');
  });

  it('manual: nothing overwritten, a conflict opens; resolving it via REST applies the kept value', async () => {
    const m = mappingWith('manual');
    const a = someCounterparty(5);
    const b = someCounterparty(6);
    for (const cp of [a, b]) {
      sims.bitrix24.sim.state.update('companies', company(String(cp.Ref_Key)).id, {
        title: `CRM ${String(cp.Ref_Key).slice(0, 4)}`,
      });
      sims.onec.sim.update('counterparties', String(cp.Ref_Key), {
        Description: `1С ${String(cp.Ref_Key).slice(0, 4)}`,
      });
    }
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(company(String(a.Ref_Key)).title).toMatch(/^CRM /);
    const open = await api('/conflicts?status=open', t.keys.viewer);
    const items = open.body.items as Row[];
    expect(items.map((i) => i.onecRef).sort()).toEqual([a.Ref_Key, b.Ref_Key].sort());
    const ca = items.find((i) => i.onecRef === a.Ref_Key)!;
    const cb = items.find((i) => i.onecRef === b.Ref_Key)!;
    expect(ca).toMatchObject({ field: 'title', status: 'open' });
    const gauge = async () =>
      /sverka_sync_conflicts_open\{entity="counterparties"\} (\d+)/.exec(
        await (await fetch(`${t.url}/metrics`)).text(),
      )?.[1];
    expect(await gauge()).toBe('2');
    expect(
      (await api(`/conflicts/${ca.id}/resolve`, t.keys.viewer, { method: 'POST', body: '{"keep":"onec"}' }))
        .status,
    ).toBe(403);
    const ra = await api(`/conflicts/${ca.id}/resolve`, t.keys.operator, {
      method: 'POST',
      body: '{"keep":"onec"}',
    });
    expect(ra.status).toBe(200);
    expect(ra.body).toMatchObject({ status: 'resolved', resolution: 'onec', resolvedBy: 'test-operator' });
    expect(company(String(a.Ref_Key)).title).toMatch(/^1С /);
    const rb = await api(`/conflicts/${cb.id}/resolve`, t.keys.operator, {
      method: 'POST',
      body: '{"keep":"crm"}',
    });
    expect(rb.status).toBe(200);
    expect(company(String(b.Ref_Key)).title).toMatch(/^CRM /);
    expect(await gauge()).toBe('0');
    // The next runs neither overwrite the kept CRM value nor reopen the conflicts.
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'], full: true });
    expect(company(String(b.Ref_Key)).title).toMatch(/^CRM /);
    expect(((await api('/conflicts?status=open', t.keys.viewer)).body.items as Row[]).length).toBe(0);
    expect(
      (await api(`/conflicts/${ca.id}/resolve`, t.keys.operator, { method: 'POST', body: '{"keep":"crm"}' }))
        .status,
    ).toBe(409);
  });

  it('manual on a requisite field (INN): the conflict resolved for 1C rewrites the requisite', async () => {
    const m = simMapping();
    m.counterparties.fields.inn = {
      owner: 'both',
      strategy: 'manual',
      transforms: ['trim'],
      pushInvalid: true,
    };
    const cp = someCounterparty(7);
    const ref = String(cp.Ref_Key);
    const req = sims.bitrix24.sim.state.requisites().find((r) => r.XML_ID === ref)!;
    sims.bitrix24.sim.state.updateRequisite(req.ID, { RQ_INN: '500100732259' });
    sims.onec.sim.update('counterparties', ref, { ИНН: '7736050003' });
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(sims.bitrix24.sim.state.requisite(req.ID)!.RQ_INN).toBe('500100732259');
    const open = ((await api('/conflicts?status=open', t.keys.viewer)).body.items as Row[]).find(
      (c) => c.onecRef === ref,
    )!;
    expect(open).toMatchObject({ field: 'inn', onecValue: '7736050003', crmValue: '500100732259' });
    const r = await api(`/conflicts/${open.id}/resolve`, t.keys.operator, {
      method: 'POST',
      body: '{"keep":"onec"}',
    });
    expect(r.status).toBe(200);
    expect(sims.bitrix24.sim.state.requisite(req.ID)!.RQ_INN).toBe('7736050003');
    expect(sims.bitrix24.sim.state.requisites().filter((x) => x.XML_ID === ref)).toHaveLength(1);
  });

  it('conflicts: filtered by entity and field, resolved in bulk a page at a time', async () => {
    const m = mappingWith('manual');
    const cps = [10, 11, 12].map((i) => someCounterparty(i));
    for (const cp of cps) {
      const ref = String(cp.Ref_Key);
      sims.bitrix24.sim.state.update('companies', company(ref).id, { title: `CRM bulk ${ref.slice(0, 4)}` });
      sims.onec.sim.update('counterparties', ref, { Description: `1С bulk ${ref.slice(0, 4)}` });
    }
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'] });
    const listed = await api('/conflicts?status=open&entity=counterparties&field=title', t.keys.viewer);
    expect(listed.body.total).toBe(3);
    expect((await api('/conflicts?status=open&field=phones', t.keys.viewer)).body.total).toBe(0);
    expect((await api('/conflicts?entity=nope', t.keys.viewer)).status).toBe(400);

    const bulk = (body: object, key = t.keys.operator) =>
      api('/conflicts/resolve', key, { method: 'POST', body: JSON.stringify(body) });
    expect((await bulk({ keep: 'crm', field: 'title' }, t.keys.viewer)).status).toBe(403);
    expect((await bulk({ keep: 'both' })).status).toBe(400);
    const first = await bulk({ keep: 'crm', entity: 'counterparties', field: 'title', limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ resolved: 2, failed: [], remaining: 1 });
    const second = await bulk({ keep: 'crm', entity: 'counterparties', field: 'title', limit: 2 });
    expect(second.body).toEqual({ resolved: 1, failed: [], remaining: 0 });
    for (const cp of cps) expect(company(String(cp.Ref_Key)).title).toMatch(/^CRM bulk /);
    const resolved = (await api('/conflicts?status=resolved&field=title', t.keys.viewer)).body.items as Row[];
    expect(resolved.filter((c) => cps.some((cp) => cp.Ref_Key === c.onecRef))).toHaveLength(3);
    const audit = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_event WHERE action = 'conflict.resolve'`,
    )) as { n: number }[];
    expect(audit[0].n).toBeGreaterThanOrEqual(3);

    // A conflict whose CRM record is gone cannot take the 1C value: it is listed as failed and stays open.
    const gone = String(someCounterparty(13).Ref_Key);
    sims.bitrix24.sim.state.update('companies', company(gone).id, { title: 'CRM gone' });
    sims.onec.sim.update('counterparties', gone, { Description: '1С gone' });
    await runner(m).runNow({ trigger: 'cli', entities: ['counterparties'] });
    sims.bitrix24.sim.state.itemDelete(4, Number(company(gone).id));
    const third = await bulk({ keep: 'onec', field: 'title' });
    expect(third.body).toMatchObject({ resolved: 0, remaining: 1 });
    expect((third.body.failed as Row[])[0]).toMatchObject({
      id: expect.any(String),
      detail: expect.any(String),
    });
    const status = (await api('/sync/status', t.keys.viewer)).body.entities as Row[];
    expect(status.find((e) => e.entity === 'counterparties')).toMatchObject({ openConflicts: 1 });
    expect(status.find((e) => e.entity === 'deals')).toMatchObject({ openConflicts: 0 });
  });
});
