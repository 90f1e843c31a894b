import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What a newcomer's curl hits at the edges of the API: defaults of a trigger without a body, bodies that
 * are not JSON, wrong methods, malformed JSON, a bad `limit`, the root. Real HTTP (fetch), no helpers
 * that would set headers for us.
 */
describe('the API at its edges', () => {
  let t: TestApp;
  const auth = (k: string) => ({ Authorization: `Bearer ${k}` });
  const problemType = /^application\/problem\+json/;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function runCount(): Promise<number> {
    const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM reconciliation_run`)) as {
      n: number;
    }[];
    return n;
  }

  async function settle(id: string): Promise<{ status: string; options: Record<string, unknown> }> {
    const end = Date.now() + 60_000;
    for (;;) {
      const r = await fetch(`${t.url}/api/v1/reconciliations/${id}`, { headers: auth(t.keys.viewer) });
      const body = (await r.json()) as { status: string; options: Record<string, unknown> };
      if (!['queued', 'running'].includes(body.status)) return body;
      if (Date.now() > end) throw new Error(`run ${id} still ${body.status}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  it('a POST without a body runs what the schedule runs (every entity, dedupe, sample 50), without the e-mail', async () => {
    const res = await fetch(`${t.url}/api/v1/reconciliations`, {
      method: 'POST',
      headers: auth(t.keys.operator),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const run = await settle(id);
    expect(run.options).toEqual({
      entities: ['counterparties', 'contacts', 'deals', 'debts'],
      sampleSize: 50,
      dedupe: true,
      report: false,
    });

    const partial = await fetch(`${t.url}/api/v1/reconciliations`, {
      method: 'POST',
      headers: { ...auth(t.keys.operator), 'Content-Type': 'application/json' },
      body: JSON.stringify({ dedupe: false, entities: ['contacts'] }),
    });
    expect(partial.status).toBe(202);
    const second = await settle(((await partial.json()) as { id: string }).id);
    expect(second.options).toEqual({ entities: ['contacts'], sampleSize: 50, dedupe: false, report: false });
  });

  it('answers 415 to a body that is not JSON, and starts nothing', async () => {
    const before = await runCount();
    const res = await fetch(`${t.url}/api/v1/reconciliations`, {
      method: 'POST',
      headers: { ...auth(t.keys.operator), 'Content-Type': 'text/plain' },
      body: '{"dedupe": true}',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(problemType);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 415, title: 'Unsupported Media Type' });
    expect(body.detail).toContain('application/json');
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    expect(await runCount()).toBe(before);
  });

  it('answers 405 with Allow to a wrong method on a known path', async () => {
    const runs = await fetch(`${t.url}/api/v1/reconciliations`, {
      method: 'DELETE',
      headers: auth(t.keys.admin),
    });
    expect(runs.status).toBe(405);
    expect(runs.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(runs.headers.get('content-type')).toMatch(problemType);
    expect(await runs.json()).toMatchObject({ status: 405, title: 'Method Not Allowed' });

    const one = await fetch(`${t.url}/api/v1/reconciliations/00000000-0000-4000-8000-000000000000`, {
      method: 'POST',
    });
    expect(one.status).toBe(405);
    expect(one.headers.get('allow')).toBe('GET, HEAD');

    const health = await fetch(`${t.url}/health/ready`, { method: 'PUT' });
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET, HEAD');

    const unknown = await fetch(`${t.url}/api/v1/nothing-here`, {
      method: 'DELETE',
      headers: auth(t.keys.admin),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(problemType);
  });

  it('a malformed JSON body gets 400 problem+json with X-Request-Id and the same requestId', async () => {
    const res = await fetch(`${t.url}/api/v1/reconciliations`, {
      method: 'POST',
      headers: { ...auth(t.keys.operator), 'Content-Type': 'application/json' },
      body: '{"dedupe":',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(problemType);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[\w.-]{1,64}$/);
    expect(((await res.json()) as { requestId: string }).requestId).toBe(id);

    const given = await fetch(`${t.url}/api/v1/reconciliations`, {
      method: 'POST',
      headers: { ...auth(t.keys.operator), 'Content-Type': 'application/json', 'X-Request-Id': 'mine-42' },
      body: '[',
    });
    expect(given.headers.get('x-request-id')).toBe('mine-42');
    expect(((await given.json()) as { requestId: string }).requestId).toBe('mine-42');
  });

  it('limit=abc gets one clear message', async () => {
    for (const limit of ['abc', '0', '1001', '1.5', '']) {
      const res = await fetch(`${t.url}/api/v1/reconciliations?limit=${limit}`, {
        headers: auth(t.keys.viewer),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toBe(
        'limit must be a whole number from 1 to 1000',
      );
    }
    const ok = await fetch(`${t.url}/api/v1/reconciliations?limit=2`, { headers: auth(t.keys.viewer) });
    expect(ok.status).toBe(200);
  });

  it('GET / and GET /api/v1 answer a short JSON index with links', async () => {
    for (const path of ['/', '/api/v1']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const body = (await res.json()) as { links: Record<string, string> };
      expect(body.links).toEqual({
        api: '/api/v1',
        docs: '/docs',
        openapi: '/docs-json',
        health: '/health/ready',
        metrics: '/metrics',
      });
    }
  });

  it('an unknown path is a 404 problem with a request id', async () => {
    const res = await fetch(`${t.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(problemType);
    const body = (await res.json()) as { status: number; requestId: string };
    expect(body.status).toBe(404);
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
  });
});
