import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('foundation over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers liveness and readiness without a key', async () => {
    await request(t.url).get('/health/live').expect(200, { status: 'ok' });
    const ready = await request(t.url).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.info.database.status).toBe('up');
  });

  it('serves OpenAPI at /docs-json and the UI at /docs', async () => {
    const doc = await request(t.url).get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/api-keys');
    await request(t.url).get('/docs').expect(200).expect('content-type', /html/);
  });

  it('refuses /api/v1 without a key as problem+json, with a request id', async () => {
    const r = await request(t.url).get('/api/v1/api-keys').expect(401);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.headers['x-request-id']).toBeTruthy();
    expect(r.body).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.js/);
  });

  it('rejects unknown body properties with 400', async () => {
    const r = await request(t.url)
      .post('/api/v1/api-keys')
      .set('Authorization', `Bearer ${t.keys.admin}`)
      .send({ name: 'x', role: 'viewer', colour: 'red' })
      .expect(400);
    expect(r.body.detail).toMatch(/colour should not exist/);
  });

  it('a viewer key POST gets 403 and leaves an audit row', async () => {
    await request(t.url)
      .post('/api/v1/api-keys')
      .set('Authorization', `Bearer ${t.keys.viewer}`)
      .set('X-Request-Id', 'req-viewer-post')
      .send({ name: 'sneaky', role: 'admin' })
      .expect(403);
    const rows = await t.dataSource.query(`SELECT * FROM audit_event WHERE request_id = 'req-viewer-post'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      key_name: 'test-viewer',
      role: 'viewer',
      outcome: 'denied',
      action: 'POST /api/v1/api-keys',
    });
    expect(rows[0].client_ip).toBeTruthy();
  });

  it('an admin manages keys: create (shown once), list (no secret), use, revoke (then 401)', async () => {
    const admin = `Bearer ${t.keys.admin}`;
    const created = await request(t.url)
      .post('/api/v1/api-keys')
      .set('Authorization', admin)
      .send({ name: 'ops', role: 'operator' })
      .expect(201);
    expect(created.body.key).toMatch(/^svk_/);
    const list = await request(t.url).get('/api/v1/api-keys').set('Authorization', admin).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    await request(t.url)
      .get('/api/v1/audit-events')
      .set('Authorization', `Bearer ${created.body.key}`)
      .expect(403);
    await request(t.url).delete('/api/v1/api-keys/ops').set('Authorization', admin).expect(200);
    await request(t.url)
      .get('/api/v1/api-keys')
      .set('Authorization', `Bearer ${created.body.key}`)
      .expect(401);
    const audit = await request(t.url)
      .get('/api/v1/audit-events?limit=50')
      .set('Authorization', admin)
      .expect(200);
    const actions = audit.body.items.map(
      (e: { action: string; outcome: string }) => `${e.action} ${e.outcome}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['POST /api/v1/api-keys ok', 'DELETE /api/v1/api-keys/:name ok']),
    );
  });

  it('sets helmet headers', async () => {
    const r = await request(t.url).get('/health/live');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });
});
