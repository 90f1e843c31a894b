import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { applyDrift, planDrift } from '../../sim/dataset/drift.js';
import { startBitrix24Simulator, type RunningBitrix24Simulator } from '../../sim/bitrix24/index.js';
import { startSimulators } from '../../sim/start-simulators.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw JSON bodies are probed field by field */
/**
 * The fake Bitrix24 portal's own contract, by raw HTTP (docs/protocols/bitrix24.md: calling convention,
 * item methods, batch, rate limits, errors, fake Bitrix24).
 */
async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('Bitrix24 simulator', () => {
  let sim: RunningBitrix24Simulator;
  afterEach(async () => {
    await sim?.close();
  });

  it("serves a record's card page where reports link to it, 404 for a record it does not have", async () => {
    sim = await startBitrix24Simulator({ limits: { rps: 1, burst: 1 } });
    const add = await post(`${sim.webhookUrl}crm.item.add`, {
      entityTypeId: 4,
      fields: { title: 'ООО «Ромашка» <Север>' },
    });
    const id = add.json.result.item.id as number;
    const portal = new URL(sim.webhookUrl).origin;
    for (let i = 0; i < 3; i++) {
      // Web pages are not REST: no webhook, no bucket (the bucket holds one request here).
      const page = await fetch(`${portal}/crm/company/details/${id}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<h1>ООО «Ромашка» &lt;Север&gt;</h1>');
    }
    expect((await fetch(`${portal}/crm/company/details/99999/`)).status).toBe(404);
    expect((await fetch(`${portal}/crm/deal/details/${id}/`)).status).toBe(404);
    expect(sim.sim.calls.map((c) => c.method)).toEqual(['crm.item.add']);
    // Anything else is a REST path as before (a lead card is not served).
    expect((await fetch(`${portal}/crm/lead/details/${id}/`)).status).toBe(404);
  });

  it('serves <method>.json and <method>, the eight-key time block, exact error bodies without time', async () => {
    sim = await startBitrix24Simulator({ limits: false });
    const add = await post(`${sim.webhookUrl}crm.item.add.json`, {
      entityTypeId: 4,
      fields: {
        title: 'ТЕХНО-ЛОГИСТИК ООО',
        originatorId: 'sverka-1c',
        originId: 'a3',
        unknownField: 1,
        fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' }],
      },
    });
    expect(add.status).toBe(200);
    expect(add.json.result.item).toMatchObject({
      id: 1,
      entityTypeId: 4,
      title: 'ТЕХНО-ЛОГИСТИК ООО',
      hasPhone: 'Y',
      hasEmail: 'N',
      contactIds: [],
      opened: 'Y',
    });
    expect(add.json.result.item.fm).toEqual([
      { id: 1, typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' },
    ]);
    expect(add.json.result.item).not.toHaveProperty('unknownField');
    expect(Object.keys(add.json.time).sort()).toEqual([
      'date_finish',
      'date_start',
      'duration',
      'finish',
      'operating',
      'operating_reset_at',
      'processing',
      'start',
    ]);
    const get = await post(`${sim.webhookUrl}crm.item.get`, { entityTypeId: 4, id: 2 });
    expect(get).toEqual({
      status: 400,
      json: { error: 'NOT_FOUND', error_description: 'Element not found' },
    });
    expect(
      (await post(`${sim.webhookUrl}crm.item.update`, { entityTypeId: 4, id: 2, fields: {} })).json,
    ).toEqual({ error: 'NOT_FOUND', error_description: 'Item not found' });
    expect((await post(`${sim.webhookUrl}crm.item.list`, { entityTypeId: 5 })).json.error).toBe(
      'ENTITY_TYPE_NOT_SUPPORTED',
    );
    expect((await post(`${sim.webhookUrl}crm.item.list`, { entityTypeId: 1234 })).json).toEqual({
      error: 'NOT_FOUND',
      error_description: 'Smart process not found',
    });
    expect(
      (await post(`${sim.webhookUrl}crm.item.list`, { entityTypeId: 4, filter: { '>=bogus': 1 } })).json,
    ).toEqual({
      error: 'INVALID_ARG_VALUE',
      error_description: "Invalid filter: field 'bogus' is not allowed in filter",
    });
    expect(await post(`${sim.webhookUrl}no.such.method`, {})).toEqual({
      status: 404,
      json: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    expect(await post(`${sim.webhookUrl.replace('sverka-sim-secret', 'bad')}crm.status.list`, {})).toEqual({
      status: 401,
      json: { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' },
    });
    expect(
      (await post(`${sim.webhookUrl}crm.item.add`, { entityTypeId: 3, fields: { fm: 'x' } })).json.error,
    ).toBe('100');
  });

  it('updatedTime moves only when a value changes; stageSemanticId follows the stage', async () => {
    let now = new Date('2026-09-01T07:00:00Z');
    sim = await startBitrix24Simulator({ limits: false, clock: () => now });
    const deal = sim.state.add('deals', { title: 'Заказ', stageId: 'EXECUTING', opportunity: '100.5' });
    expect(deal).toMatchObject({
      stageSemanticId: 'P',
      opportunity: 100.5,
      createdTime: '2026-09-01T10:00:00+03:00',
      updatedTime: '2026-09-01T10:00:00+03:00',
    });
    now = new Date('2026-09-01T08:00:00Z');
    const same = await post(`${sim.webhookUrl}crm.item.update`, {
      entityTypeId: 2,
      id: deal.id,
      fields: { title: 'Заказ', opportunity: 100.5 },
    });
    expect(same.json.result.item.updatedTime).toBe('2026-09-01T10:00:00+03:00');
    const won = await post(`${sim.webhookUrl}crm.item.update`, {
      entityTypeId: 2,
      id: deal.id,
      fields: { stageId: 'WON' },
    });
    expect(won.json.result.item).toMatchObject({
      stageSemanticId: 'S',
      updatedTime: '2026-09-01T11:00:00+03:00',
    });
    expect(sim.state.setStage('deals', deal.id, 'LOSE').stageSemanticId).toBe('F');
    const bad = await post(`${sim.webhookUrl}crm.item.update`, {
      entityTypeId: 2,
      id: deal.id,
      fields: { categoryId: 5 },
    });
    expect(bad.json).toEqual({
      error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID',
      error_description: 'Invalid value for field "Category"',
    });
  });

  it('lists: filter prefixes, order, 50-row pages with total/next, start=-1 without total', async () => {
    sim = await startBitrix24Simulator({ limits: false });
    for (let i = 1; i <= 120; i++)
      sim.state.add('companies', {
        title: `C${String(i).padStart(3, '0')}`,
        originatorId: i % 2 ? 'sverka-1c' : null,
        originId: `r${i}`,
      });
    const list = (body: Record<string, unknown>) =>
      post(`${sim.webhookUrl}crm.item.list`, { entityTypeId: 4, ...body });
    const p1 = await list({ select: ['id'], order: { id: 'DESC' } });
    expect(p1.json.total).toBe(120);
    expect(p1.json.next).toBe(50);
    expect(p1.json.result.items[0]).toEqual({ id: 120 });
    const p3 = await list({ select: ['id'], start: 100 });
    expect(p3.json.result.items).toHaveLength(20);
    expect(p3.json).not.toHaveProperty('next');
    const fast = await list({ select: ['id'], filter: { '>id': 100 }, order: { id: 'ASC' }, start: -1 });
    expect(fast.json.total).toBe(0);
    expect(fast.json).not.toHaveProperty('next');
    expect(fast.json.result.items.map((r: { id: number }) => r.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => 101 + i),
    );
    const ids = async (filter: Record<string, unknown>) =>
      (await list({ select: ['id'], filter, start: -1 })).json.result.items.map((r: { id: number }) => r.id);
    expect(await ids({ '=originatorId': 'sverka-1c', '=originId': 'r3' })).toEqual([3]);
    expect(await ids({ '@id': [5, 7, 500] })).toEqual([5, 7]);
    expect(await ids({ '>=id': 118 })).toEqual([118, 119, 120]);
    expect(await ids({ '<id': 3 })).toEqual([1, 2]);
    expect(await ids({ '<=id': 2, '!=id': 1 })).toEqual([2]);
    expect(await ids({ '!@id': Array.from({ length: 119 }, (_, i) => i + 1) })).toEqual([120]);
    expect(await ids({ originId: 'r9' })).toEqual([9]);
    // fm only with "*".
    expect((await list({ select: ['id', 'fm'], filter: { id: 1 } })).json.result.items[0]).toEqual({ id: 1 });
    expect((await list({ select: ['*'], filter: { id: 1 } })).json.result.items[0].fm).toEqual([]);
  });

  it('lists by id range inside a batch: >=id/<id, >=ID/<ID for requisites, the highest id by DESC + start=-1', async () => {
    sim = await startBitrix24Simulator({ limits: false });
    for (let i = 1; i <= 120; i++) sim.state.add('companies', { title: `C${i}` });
    for (const id of [11, 12, 13, 120]) sim.state.delete('companies', id);
    for (let i = 1; i <= 8; i++)
      sim.state.addRequisite({ ENTITY_TYPE_ID: 4, ENTITY_ID: i, PRESET_ID: 1, NAME: 'Организация' });
    sim.state.deleteRequisite(4);
    const cmd = {
      a: 'crm.item.list?entityTypeId=4&select[0]=id&order[id]=ASC&filter[%3E%3Did]=10&filter[%3Cid]=16&start=-1',
      b: 'crm.item.list?entityTypeId=4&select[0]=id&order[id]=ASC&filter[%3E%3Did]=60&start=-1',
      top: 'crm.item.list?entityTypeId=4&select[0]=id&order[id]=DESC&start=-1',
      r: 'crm.requisite.list?filter[ENTITY_TYPE_ID]=4&filter[%3E%3DID]=3&filter[%3CID]=7&select[0]=ID&order[ID]=ASC&start=-1',
      none: 'crm.item.list?entityTypeId=4&select[0]=id&order[id]=ASC&filter[%3E%3Did]=500&filter[%3Cid]=1000&start=-1',
    };
    const r = await post(`${sim.webhookUrl}batch`, { halt: 0, cmd });
    expect(r.status).toBe(200);
    const ids = (k: string) =>
      (r.json.result.result[k].items ?? r.json.result.result[k]).map((x: any) => Number(x.id ?? x.ID));
    expect(ids('a')).toEqual([10, 14, 15]);
    expect(ids('b')).toEqual(Array.from({ length: 50 }, (_, i) => 60 + i));
    expect(ids('top')[0]).toBe(119);
    expect(ids('r')).toEqual([3, 5, 6]);
    expect(ids('none')).toEqual([]);
    expect(r.json.result.result_error).toEqual([]);
    expect(r.json.result.result_total).toEqual({ a: 0, b: 0, top: 0, r: 0, none: 0 });
    expect(r.json.result.result_next).toEqual([]);
  });

  it('batch: parse_str commands, per-command results, [] for empty containers, length and nesting refused', async () => {
    sim = await startBitrix24Simulator({ limits: false });
    const cmd = {
      c1: 'crm.item.add?entityTypeId=4&fields[title]=%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0&fields[originatorId]=sverka-1c&fields[originId]=b1&fields[fm][0][typeId]=PHONE&fields[fm][0][valueType]=WORK&fields[fm][0][value]=%2B74951234567',
      u1: 'crm.item.update?entityTypeId=4&id=2919&fields[fm][8303][typeId]=PHONE&fields[fm][8303][value]=',
      l1: 'crm.item.list?entityTypeId=4&select[0]=id&filter[originatorId]=sverka-1c&filter[originId]=b1&start=-1',
    };
    const r = await post(`${sim.webhookUrl}batch`, { halt: 0, cmd });
    expect(r.status).toBe(200);
    expect(r.json.result.result.c1.item).toMatchObject({
      id: 1,
      title: 'Ромашка',
      fm: [{ id: 1, typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' }],
    });
    expect(r.json.result.result.l1).toEqual({ items: [{ id: 1 }] });
    expect(r.json.result.result_error).toEqual({
      u1: { error: 'NOT_FOUND', error_description: 'Item not found' },
    });
    expect(r.json.result.result_total).toEqual({ l1: 0 });
    expect(r.json.result.result_next).toEqual([]);
    expect(Object.keys(r.json.result.result_time).sort()).toEqual(['c1', 'l1']);
    expect(Object.keys(r.json.result.result_time.c1).sort()).toEqual([
      'date_finish',
      'date_start',
      'duration',
      'finish',
      'processing',
      'start',
    ]);
    expect(sim.calls.at(-1)!.commands).toEqual([
      { key: 'c1', method: 'crm.item.add', outcome: 'ok' },
      { key: 'u1', method: 'crm.item.update', outcome: 'NOT_FOUND' },
      { key: 'l1', method: 'crm.item.list', outcome: 'ok' },
    ]);
    const halted = await post(`${sim.webhookUrl}batch`, {
      halt: 1,
      cmd: { a: 'crm.item.get?entityTypeId=4&id=99', b: 'crm.item.get?entityTypeId=4&id=1' },
    });
    expect(halted.json.result.result).toEqual([]);
    const many = Object.fromEntries(
      Array.from({ length: 51 }, (_, i) => [`k${i}`, 'crm.item.add?entityTypeId=4&fields[title]=x']),
    );
    expect(await post(`${sim.webhookUrl}batch`, { cmd: many })).toEqual({
      status: 400,
      json: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
    expect(sim.state.count('companies')).toBe(1);
    expect(
      (await post(`${sim.webhookUrl}batch`, { cmd: { a: 'batch?cmd[x]=crm.status.list' } })).status,
    ).toBe(405);
  });

  it('leaky bucket → 503 QUERY_LIMIT_EXCEEDED above X, drains at Y/s; switchable 429; lost responses keep the write', async () => {
    sim = await startBitrix24Simulator({ limits: { rps: 10, burst: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(`${sim.webhookUrl}crm.status.list`, {})).status);
    expect(statuses).toEqual([200, 200, 200, 503, 503]);
    expect((await post(`${sim.webhookUrl}crm.status.list`, {})).json).toEqual({
      error: 'QUERY_LIMIT_EXCEEDED',
      error_description: 'Too many requests',
    });
    await new Promise((r) => setTimeout(r, 250));
    expect((await post(`${sim.webhookUrl}crm.status.list`, {})).status).toBe(200);
    sim.setLimits(false);
    sim.setFaults({ blockedMethods: ['crm.item.list'] });
    expect(await post(`${sim.webhookUrl}crm.item.list`, { entityTypeId: 4 })).toEqual({
      status: 429,
      json: {
        error: 'OPERATION_TIME_LIMIT',
        error_description: 'Method is blocked due to operation time limit.',
      },
    });
    expect((await post(`${sim.webhookUrl}crm.status.list`, {})).status).toBe(200);
    sim.setFaults({ lostResponseRate: 1 });
    await expect(
      post(`${sim.webhookUrl}crm.item.add`, { entityTypeId: 4, fields: { title: 'Lost' } }),
    ).rejects.toThrow();
    expect(sim.state.list('companies').map((c) => c.title)).toEqual(['Lost']);
    expect(sim.calls.at(-1)).toMatchObject({ method: 'crm.item.add', lost: true });
  });

  it('seeds from the generated data set, adds its invoices, applies its drift through driftTarget()', async () => {
    const dataset = generateDataset({ seed: 5, counterparties: 60 });
    const sims = await startSimulators({ dataset });
    try {
      expect(sims.bitrix24).not.toBeNull();
      const b = sims.bitrix24!.sim as RunningBitrix24Simulator['sim'];
      expect(b.state.count('companies')).toBe(dataset.crm.companies.length);
      expect(b.state.requisites()).toHaveLength(dataset.crm.requisites.length);
      // Link every counterparty to a fresh company as sync would, then add the planned invoices.
      const linked = new Map<string, number>();
      for (const c of dataset.onec.counterparties.filter((r) => !r.IsFolder)) {
        const item = b.state.add('companies', {
          title: String(c.Description),
          originatorId: 'sverka-1c',
          originId: String(c.Ref_Key),
        });
        b.state.addRequisite({
          ENTITY_TYPE_ID: 4,
          ENTITY_ID: item.id,
          PRESET_ID: 1,
          NAME: 'Организация',
          XML_ID: String(c.Ref_Key),
          RQ_INN: String(c.ИНН),
        });
        linked.set(String(c.Ref_Key), item.id);
      }
      const invoices = dataset.invoicesFor(linked);
      const ids = b.state.addInvoices(invoices as unknown as Record<string, unknown>[]);
      expect(ids).toHaveLength(invoices.length);
      expect(b.state.invoiceByXmlId(invoices[0].xmlId)).toMatchObject({
        stageId: invoices[0].stageId,
        companyId: invoices[0].companyId,
      });
      const result = await applyDrift(planDrift(dataset, 9), b.driftTarget());
      expect(result.applied).toBeGreaterThan(0);
      expect(result.skipped.filter((s) => s.op !== 'changeDealStage')).toEqual([]);
    } finally {
      await sims.close();
    }
  });
});
