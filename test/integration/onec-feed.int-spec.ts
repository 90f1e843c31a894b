import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simMapping } from '../../sim/mapping.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { OneCFeedAdapter } from '../../src/onec/feed/onec-feed.adapter.js';
import { OneCError, OneCErrorCode } from '../../src/onec/onec.error.js';
import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { OneCSimulator } from '../../sim/onec/onec-simulator.js';

/**
 * The change feed protocol (docs/protocols/onec-change-feed.md) over real HTTP: the fake 1C's
 * `…/hs/sverka` spoken to raw, then through Sverka's client (OneCFeedAdapter), and the fake's doorbell.
 */
const dataset = generateDataset({
  seed: 17,
  counterparties: 40,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
});
const FAST = [5, 5, 5];
const C = 'Catalog_Контрагенты';

describe('1C change feed protocol against the simulator', () => {
  let sim: OneCSimulator;
  let auth: string;
  const mapping = simMapping();

  beforeEach(async () => {
    sim = await new OneCSimulator({ data: dataset.onec }).start();
    auth = `Basic ${Buffer.from(`${sim.user}:${sim.password}`).toString('base64')}`;
  });
  afterEach(async () => {
    await sim.close();
  });

  const ref = (i: number) => String(sim.rows('counterparties')[4 + i].Ref_Key);
  async function call(method: 'GET' | 'POST', path: string, body?: unknown, authorization = auth) {
    const res = await fetch(`${sim.feedUrl}/${path}`, {
      method,
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  describe('raw HTTP', () => {
    it('serves the URL next to OData, under the same Basic auth', async () => {
      expect(sim.feedUrl).toBe(sim.url.replace('/odata/standard.odata', '/hs/sverka'));
      const res = await fetch(`${sim.feedUrl}/state`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="1C:Enterprise"');
      expect(await call('GET', 'state')).toEqual({
        status: 200,
        body: { sentNo: 0, receivedNo: 0, pending: 0 },
      });
    });

    it('registers every update, deletion mark, add and remove of a synced set', async () => {
      const order = String(sim.rows('orders')[0].Ref_Key);
      const contact = String(sim.rows('contacts')[0].Ref_Key);
      sim.update('counterparties', ref(0), { Description: 'Новое' });
      sim.markDeleted('orders', order);
      const added = sim.add('contacts', { Description: 'Новый контакт' });
      sim.remove('contacts', contact);
      sim.addBalance({ Account_Key: 'x' }); // not a synced set: no registration
      const m = await call('GET', 'changes?limit=10');
      expect(m).toEqual({
        status: 200,
        body: {
          messageNo: 1,
          items: [
            {
              set: C,
              ref: ref(0),
              dataVersion: sim.get('counterparties', ref(0))!.DataVersion,
              deleted: false,
            },
            {
              set: 'Document_ЗаказКлиента',
              ref: order,
              dataVersion: sim.get('orders', order)!.DataVersion,
              deleted: false,
            },
            {
              set: 'Catalog_КонтактныеЛица',
              ref: String(added.Ref_Key),
              dataVersion: added.DataVersion,
              deleted: false,
            },
            { set: 'Catalog_КонтактныеЛица', ref: contact, dataVersion: '', deleted: true },
          ],
          more: false,
        },
      });
    });

    it('returns un-acknowledged items again under a new number', async () => {
      sim.update('counterparties', ref(0), { Description: 'A' });
      sim.update('counterparties', ref(1), { Description: 'B' });
      const first = await call('GET', 'changes');
      const again = await call('GET', 'changes');
      expect(first.body.messageNo).toBe(1);
      expect(again.body.messageNo).toBe(2);
      expect(again.body.items).toEqual(first.body.items);
      expect((await call('GET', 'state')).body).toEqual({ sentNo: 2, receivedNo: 0, pending: 2 });
    });

    it('acknowledges idempotently', async () => {
      sim.update('counterparties', ref(0), { Description: 'A' });
      const m = await call('GET', 'changes');
      expect(await call('POST', 'ack', { messageNo: m.body.messageNo })).toEqual({
        status: 200,
        body: { receivedNo: 1 },
      });
      expect(await call('POST', 'ack', { messageNo: m.body.messageNo })).toEqual({
        status: 200,
        body: { receivedNo: 1 },
      });
      expect((await call('GET', 'state')).body).toEqual({ sentNo: 1, receivedNo: 1, pending: 0 });
      expect((await call('GET', 'changes')).body).toEqual({ messageNo: 2, items: [], more: false });
    });

    it('does not lose a change registered after the message was built when that message is acked', async () => {
      sim.update('counterparties', ref(0), { Description: 'A' });
      sim.update('counterparties', ref(1), { Description: 'B' });
      const m = await call('GET', 'changes');
      const late = sim.update('counterparties', ref(1), { Description: 'B2' });
      sim.update('counterparties', ref(2), { Description: 'C' });
      await call('POST', 'ack', { messageNo: m.body.messageNo });
      const next = await call('GET', 'changes');
      expect(next.body).toEqual({
        messageNo: 2,
        items: [
          { set: C, ref: ref(1), dataVersion: late.DataVersion, deleted: false },
          {
            set: C,
            ref: ref(2),
            dataVersion: sim.get('counterparties', ref(2))!.DataVersion,
            deleted: false,
          },
        ],
        more: false,
      });
    });

    it('pages with limit and more, re-sending what was not acknowledged first', async () => {
      for (let i = 0; i < 5; i++) sim.update('counterparties', ref(i), { Description: `N${i}` });
      const p1 = await call('GET', 'changes?limit=2');
      expect((p1.body.items as { ref: string }[]).map((x) => x.ref)).toEqual([ref(0), ref(1)]);
      expect(p1.body.more).toBe(true);
      await call('POST', 'ack', { messageNo: p1.body.messageNo });
      const p2 = await call('GET', 'changes?limit=2');
      const p3 = await call('GET', 'changes?limit=2'); // p2 lost: the same two again
      expect(p3.body.items).toEqual(p2.body.items);
      await call('POST', 'ack', { messageNo: p3.body.messageNo });
      const p4 = await call('GET', 'changes?limit=2');
      expect((p4.body.items as { ref: string }[]).map((x) => x.ref)).toEqual([ref(4)]);
      expect(p4.body.more).toBe(false);
    });

    it('answers 400 with an error text for a bad limit, a bad ack body or a number never sent', async () => {
      expect(await call('GET', 'changes?limit=0')).toEqual({
        status: 400,
        body: { error: 'limit must be a whole number from 1 to 10000' },
      });
      expect((await call('POST', 'ack', { messageNo: 'one' })).status).toBe(400);
      expect(await call('POST', 'ack', { messageNo: 3 })).toEqual({
        status: 400,
        body: { error: 'message 3 was never sent (the last is 0)' },
      });
      expect((await call('POST', 'changes', {})).status).toBe(405);
      expect((await call('GET', 'nothing')).status).toBe(404);
    });
  });

  describe('through OneCFeedAdapter', () => {
    function adapter(metrics?: SverkaMetrics) {
      return new OneCFeedAdapter({
        baseUrl: sim.feedUrl,
        user: sim.user,
        password: sim.password,
        mapping,
        retryDelaysMs: FAST,
        metrics,
      });
    }

    it('reads messages as canonical items, acks, and reads the state', async () => {
      const gone = String(sim.rows('contacts')[1].Ref_Key);
      sim.update('counterparties', ref(0), { Description: 'A' });
      sim.remove('contacts', gone);
      const feed = adapter();
      const m = await feed.changes(100);
      expect(m).toEqual({
        messageNo: 1,
        items: [
          {
            entity: 'counterparties',
            set: C,
            ref: ref(0),
            dataVersion: sim.get('counterparties', ref(0))!.DataVersion,
            deleted: false,
          },
          { entity: 'contacts', set: 'Catalog_КонтактныеЛица', ref: gone, dataVersion: null, deleted: true },
        ],
        malformed: [],
        more: false,
      });
      expect(await feed.ack(m.messageNo)).toEqual({ receivedNo: 1 });
      expect(await feed.state()).toEqual({ sentNo: 1, receivedNo: 1, pending: 0 });
      expect(sim.calls.map((c) => `${c.method} ${c.path.replace(/^.*\/hs\//, '/hs/')}`)).toEqual([
        'GET /hs/sverka/changes',
        'POST /hs/sverka/ack',
        'GET /hs/sverka/state',
      ]);
    });

    it('retries 5xx and counts requests in sverka_onec_requests_total', async () => {
      const metrics = new SverkaMetrics({ defaultMetrics: false });
      sim.failNext(2, { status: 503 });
      expect(await adapter(metrics).state()).toEqual({ sentNo: 0, receivedNo: 0, pending: 0 });
      const text = await metrics.registry.getSingleMetricAsString('sverka_onec_requests_total');
      expect(text).toContain('sverka_onec_requests_total{outcome="error"} 2');
      expect(text).toContain('sverka_onec_requests_total{outcome="ok"} 1');
    });

    it('maps refusals to OneCError codes: wrong password, a number never sent, no extension', async () => {
      const wrong = new OneCFeedAdapter({ baseUrl: sim.feedUrl, user: sim.user, password: 'nope', mapping });
      await expect(wrong.state()).rejects.toMatchObject({ code: OneCErrorCode.UNAUTHORIZED });
      await expect(adapter().ack(5)).rejects.toMatchObject({
        code: OneCErrorCode.INVALID,
        message: '1C feed ack: HTTP 400: message 5 was never sent (the last is 0)',
      });
      const missing = new OneCFeedAdapter({
        baseUrl: sim.feedUrl.replace('/hs/sverka', '/hs/other'),
        user: sim.user,
        password: sim.password,
        mapping,
      });
      const err = await missing.state().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OneCError);
      expect((err as OneCError).code).toBe(OneCErrorCode.CONFIGURATION);
      await expect(adapter().changes(0)).rejects.toThrow(RangeError);
    });
  });

  describe('doorbell', () => {
    let server: Server;
    let received: { body: string; signature: string | undefined }[];
    let answer: number;
    const secret = 'a-doorbell-secret-of-32-characters';

    beforeEach(async () => {
      received = [];
      answer = 202;
      server = createServer((req: IncomingMessage, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({
            body: Buffer.concat(chunks).toString('utf8'),
            signature: req.headers['x-sverka-signature'] as string | undefined,
          });
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      const port = (server.address() as AddressInfo).port;
      sim.setDoorbell({ url: `http://127.0.0.1:${port}/api/v1/events/onec`, secret, retryDelaysMs: [5, 5] });
    });
    afterEach(async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('rings after a change with a signed {node, pending, ts} body, outside the mutation call', async () => {
      const before = Math.floor(Date.now() / 1000);
      sim.update('counterparties', ref(0), { Description: 'A' });
      expect(received).toEqual([]); // the mutation returned before any ring went out
      await sim.doorbellIdle();
      expect(received).toHaveLength(1);
      const body = JSON.parse(received[0].body) as { node: string; pending: number; ts: number };
      expect(body.node).toBe('SVERKA');
      expect(body.pending).toBe(1);
      expect(body.ts).toBeGreaterThanOrEqual(before);
      expect(received[0].signature).toBe(
        `sha256=${createHmac('sha256', secret).update(received[0].body).digest('hex')}`,
      );
    });

    it('coalesces a burst of changes into few rings, the last with the full pending count', async () => {
      for (let i = 0; i < 30; i++) sim.update('counterparties', ref(i % 10), { Description: `N${i}` });
      await sim.doorbellIdle();
      expect(received.length).toBe(1);
      expect((JSON.parse(received[0].body) as { pending: number }).pending).toBe(10);
    });

    it('retries a refused ring with backoff', async () => {
      answer = 503;
      sim.update('counterparties', ref(0), { Description: 'A' });
      await sim.doorbellIdle();
      expect(sim.doorbellRings.map((r) => r.status)).toEqual([503, 503, 503]);
    });
  });
});
