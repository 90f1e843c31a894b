import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';

/**
 * The fake 1C server's own behaviour over raw HTTP, independent of our adapter
 * (docs/protocols/onec-odata.md#responses-and-errors, docs/protocols/onec-odata.md#fake-1c).
 */
const dataset = generateDataset({ seed: 5, counterparties: 60 });

describe('fake 1C OData server (raw HTTP)', () => {
  let sims: RunningSimulators;
  let auth: string;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sims.onec.url}/${path}`, { headers: { Authorization: auth, ...headers } });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      text: await res.text(),
      headers: res.headers,
    };
  };

  beforeAll(async () => {
    sims = await startSimulators({ dataset, credentials: { user: 'Администратор', password: 'п@роль' } });
    auth = `Basic ${Buffer.from('Администратор:п@роль', 'utf8').toString('base64')}`;
  });
  afterAll(async () => {
    await sims.close();
  });

  it('serves a web-client page at the publication root, where reports link to 1C objects', async () => {
    const root = sims.onec.url.replace(/odata\/standard\.odata$/, '');
    const page = await fetch(
      `${root}#e1cib/data/Справочник.Контрагенты?ref=0a9b000c295e30eb11e5d629a348aa8c`,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('веб-клиент');
  });

  it('asks for Basic credentials with 401 and WWW-Authenticate, UTF-8 names accepted', async () => {
    const res = await fetch(`${sims.onec.url}/$metadata`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="1C:Enterprise"');
    expect(await res.text()).toBe('');
    const ok = await get('$metadata');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<EntitySet Name="Catalog_Контрагенты"');
    expect(ok.text).toContain('DataServiceVersion="3.0"');
  });

  it('accepts percent-encoded and literal paths and keys; serves $select, $top, $skip and $count as text', async () => {
    const enc = await get(
      `${encodeURIComponent('Catalog_Контрагенты')}?$format=json&$select=Ref_Key,Code&$orderby=Code&$top=3&$skip=2`,
    );
    const body = JSON.parse(enc.text);
    expect(enc.type).toBe('application/json;charset=utf-8');
    expect(body['odata.metadata']).toMatch(/\$metadata#Catalog_Контрагенты$/);
    expect(body.value).toHaveLength(3);
    expect(Object.keys(body.value[0]).sort()).toEqual(['Code', 'Ref_Key']);
    expect(body.value[0].Code).toBe('00-000003');
    // Quotes and parentheses fully percent-encoded (our client keeps them literal,
    // docs/protocols/onec-odata.md#percent-encoding): same answer.
    const ref = dataset.onec.counterparties[9].Ref_Key as string;
    const encoded = encodeURIComponent(`Catalog_Контрагенты(guid'${ref}')`)
      .replace(/'/g, '%27')
      .replace(/\(/g, '%28')
      .replace(/\)/g, '%29');
    const viaEncoded = await get(`${encoded}?%24format=json`);
    expect(viaEncoded.status).toBe(200);
    expect(JSON.parse(viaEncoded.text).Ref_Key).toBe(ref);
    const viaLiteral = await get(`Catalog_Контрагенты(guid'${ref}')?$format=json`);
    expect(viaLiteral.text).toBe(viaEncoded.text);
    const count = await get(
      `Catalog_Контрагенты/$count?$filter=${encodeURIComponent('IsFolder eq false and DeletionMark eq false')}`,
    );
    expect(count.type).toBe('text/plain; charset=utf-8');
    expect(Number(count.text)).toBe(dataset.truth.counts.counterparties.live);
  });

  it('orders by presentation when asked to order by Ref_Key, and refuses Ref_Key gt with 500', async () => {
    const byRef = JSON.parse(
      (await get('Document_ЗаказКлиента?$format=json&$orderby=Ref_Key&$select=Date,Number&$top=50')).text,
    ).value;
    const keys = byRef.map((r: { Date: string; Number: string }) => `${r.Date}|${r.Number}`);
    expect(keys).toEqual([...keys].sort());
    const bad = await get(
      `Catalog_Контрагенты?$format=json&$filter=${encodeURIComponent("Ref_Key gt guid'a348aa8c-d629-11e5-0a9b-000c295e30eb'")}`,
    );
    expect(bad.status).toBe(500);
    expect(JSON.parse(bad.text)['odata.error'].message.value).toContain('Нельзя сравнивать');
  });

  it('entity by key: the object itself with @Element; 404 code 9 when missing, 404 code 6 for an unknown set, 400 for a bad filter', async () => {
    const ref = dataset.onec.counterparties[10].Ref_Key as string;
    const one = JSON.parse((await get(`Catalog_Контрагенты(guid'${ref}')?$format=json`)).text);
    expect(one.Ref_Key).toBe(ref);
    expect(one['odata.metadata']).toMatch(/#Catalog_Контрагенты\/@Element$/);
    const missing = await get(`Catalog_Контрагенты(guid'00000000-0000-0000-0000-00000000abcd')?$format=json`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)['odata.error'].code).toBe('9');
    const unknown = await get('Catalog_Номенклатура?$format=json');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)['odata.error']).toEqual({
      code: '6',
      message: { lang: 'ru', value: 'Сегмент пути Catalog_Номенклатура не найден' },
    });
    const bad = await get(`Catalog_Контрагенты?$format=json&$filter=${encodeURIComponent('Code eq')}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)['odata.error'].code).toBe('-1');
  });

  it('mutations bump DataVersion; faults give HTML 503 pages; the call log records status and bytes', async () => {
    const sim = sims.onec.sim;
    const ref = dataset.onec.counterparties[12].Ref_Key as string;
    const before = sim.get('counterparties', ref)!.DataVersion;
    sim.markDeleted('counterparties', ref);
    const after = sim.get('counterparties', ref)!.DataVersion;
    expect(after).not.toBe(before);
    expect(Buffer.from(String(after), 'base64')).toHaveLength(8);
    expect(dataset.onec.counterparties[12].DeletionMark).not.toBe(true);
    sim.failNext(1, { status: 503, html: true, set: 'counterparties' });
    sim.clearCalls();
    const page = await get('Catalog_Контрагенты?$format=json&$top=1');
    expect(page.status).toBe(503);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<html>');
    const ok = await get('Catalog_Контрагенты?$format=json&$top=1');
    expect(sim.calls.map((c) => [c.status, c.bytes > 0])).toEqual([
      [503, true],
      [200, true],
    ]);
    expect(sim.calls[1].bytes).toBe(Buffer.byteLength(ok.text));
    expect(sim.calls[1].query).toEqual({ $format: 'json', $top: '1' });
  });

  it('global fault settings: an error rate gives 500s at about that rate; latency delays every answer', async () => {
    const sim = sims.onec.sim;
    sim.setFaults({ errorRate: 0.5, errorStatus: 500, latencyMs: 20 });
    sim.clearCalls();
    const t0 = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await get('Catalog_Контрагенты/$count')).status);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40 * 20);
    const errors = statuses.filter((s) => s === 500).length;
    expect(errors).toBeGreaterThan(8);
    expect(errors).toBeLessThan(32);
    expect(statuses.every((s) => s === 200 || s === 500)).toBe(true);
    sim.setFaults({});
    expect((await get('Catalog_Контрагенты/$count')).status).toBe(200);
  });
});
