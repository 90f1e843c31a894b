import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';

const dataset = generateDataset({ seed: 6, counterparties: 20 });
const SECRET = 'a-demo-doorbell-secret-of-32-chars';

/**
 * The fake 1C's demo-only endpoint (`npm run demo` prints a curl to it): a PATCH changes a record as a 1C
 * user would — a new DataVersion, a change registered in the feed, a ring of the doorbell.
 */
describe('fake 1C: the demo endpoint that plays a 1C user', () => {
  let sims: RunningSimulators;
  let off: RunningSimulators;
  let doorbell: Server;
  const rings: string[] = [];
  const auth = `Basic ${Buffer.from('sverka:sverka-pass').toString('base64')}`;
  const demoUrl = (s: RunningSimulators, path: string) => `${new URL(s.onec.url).origin}/demo/${path}`;
  const patch = (
    s: RunningSimulators,
    path: string,
    body: string,
    headers: Record<string, string> = { Authorization: auth },
  ) =>
    fetch(demoUrl(s, path), {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });

  beforeAll(async () => {
    doorbell = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += String(d)));
      req.on('end', () => {
        rings.push(body);
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => doorbell.listen(0, '127.0.0.1', () => r()));
    const port = (doorbell.address() as AddressInfo).port;
    sims = await startSimulators({
      dataset,
      onecDemoApi: true,
      doorbell: { url: `http://127.0.0.1:${port}/api/v1/events/onec`, secret: SECRET },
    });
    off = await startSimulators({ dataset });
  });
  afterAll(async () => {
    await sims?.close();
    await off?.close();
    await new Promise((r) => doorbell?.close(r));
  });

  it('PATCH renames a counterparty: a new DataVersion, the change in the feed, the doorbell rung', async () => {
    const row = dataset.onec.counterparties.find((r) => !r.IsFolder)!;
    const ref = String(row.Ref_Key);
    const before = String(sims.onec.sim.get('counterparties', ref)!.DataVersion);
    const res = await patch(
      sims,
      `counterparties/${ref}`,
      JSON.stringify({ Description: 'ООО "Переименовано"' }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const after = sims.onec.sim.get('counterparties', ref)!;
    expect(body).toEqual({
      Ref_Key: ref,
      DataVersion: after.DataVersion,
      Description: 'ООО "Переименовано"',
    });
    expect(after.Description).toBe('ООО "Переименовано"');
    expect(after.DataVersion).not.toBe(before);
    expect(sims.onec.sim.feed.list()).toEqual([{ set: 'Catalog_Контрагенты', ref, messageNo: null }]);
    await sims.onec.sim.doorbellIdle();
    expect(rings.map((r) => JSON.parse(r) as Record<string, unknown>)).toEqual([
      { node: 'SVERKA', pending: 1, ts: expect.any(Number) },
    ]);
  });

  it('refuses without the 1C user (401), a body that is not a JSON object (400), keys it must not change (400), an unknown record (404), other methods (405)', async () => {
    const ref = String(dataset.onec.counterparties[1].Ref_Key);
    const noAuth = await patch(sims, `counterparties/${ref}`, '{"Description":"x"}', {});
    expect([noAuth.status, noAuth.headers.get('www-authenticate')]).toEqual([
      401,
      'Basic realm="1C:Enterprise"',
    ]);
    expect((await patch(sims, `counterparties/${ref}`, '[1]')).status).toBe(400);
    expect((await patch(sims, `counterparties/${ref}`, 'not json')).status).toBe(400);
    expect(await (await patch(sims, `counterparties/${ref}`, '{"DataVersion":"AAAA"}')).json()).toEqual({
      error: 'DataVersion cannot be changed',
    });
    expect(
      (await patch(sims, 'counterparties/00000000-0000-0000-0000-0000000000aa', '{"Description":"x"}'))
        .status,
    ).toBe(404);
    expect(
      (await fetch(demoUrl(sims, `counterparties/${ref}`), { headers: { Authorization: auth } })).status,
    ).toBe(405);
  });

  it('is not there unless the demo asks for it', async () => {
    const ref = String(dataset.onec.counterparties[1].Ref_Key);
    const res = await patch(off, `counterparties/${ref}`, '{"Description":"x"}');
    expect(res.status).toBe(404);
    expect(off.onec.sim.get('counterparties', ref)!.Description).toBe(
      dataset.onec.counterparties[1].Description,
    );
  });
});
