import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Role = 'viewer' | 'operator' | 'admin';

/**
 * The least role of every /api/v1 route (README.md#the-rest-api, key management and the audit log included).
 * A route the service documents but this table lacks fails the test: each new route needs a decision.
 */
const LEAST_ROLE: Record<string, Role> = {
  'GET /api/v1/api-keys': 'admin',
  'POST /api/v1/api-keys': 'admin',
  'DELETE /api/v1/api-keys/{name}': 'admin',
  'GET /api/v1/audit-events': 'admin',
  'POST /api/v1/reconciliations': 'operator',
  'GET /api/v1/reconciliations': 'viewer',
  'GET /api/v1/reconciliations/latest': 'viewer',
  'GET /api/v1/reconciliations/{id}': 'viewer',
  'GET /api/v1/reconciliations/{id}/discrepancies': 'viewer',
  'GET /api/v1/reconciliations/{id}/duplicates': 'viewer',
  'GET /api/v1/reconciliations/{id}/report': 'viewer',
  'POST /api/v1/sync/runs': 'operator',
  'GET /api/v1/sync/runs': 'viewer',
  'GET /api/v1/sync/runs/{id}': 'viewer',
  'GET /api/v1/sync/runs/{id}/plan': 'viewer',
  'GET /api/v1/matches': 'viewer',
  'POST /api/v1/matches/{id}/resolve': 'operator',
  'GET /api/v1/sync/status': 'viewer',
  'GET /api/v1/conflicts': 'viewer',
  'POST /api/v1/conflicts/resolve': 'operator',
  'POST /api/v1/conflicts/{id}/resolve': 'operator',
};

/**
 * Routes that take no API key but a signature of the caller (the 1C doorbell, src/feed): a key of any role
 * is no signature, so every unsigned call is 401 whatever the key.
 */
const SIGNED_ROUTES = new Set(['POST /api/v1/events/onec']);

const ORDER: Role[] = ['viewer', 'operator', 'admin'];

describe('role matrix: every route × no key / revoked key / viewer / operator / admin', () => {
  let t: TestApp;
  let routes: string[];
  let revoked: string;

  beforeAll(async () => {
    t = await startTestApp();
    const doc = await request(t.url).get('/docs-json').expect(200);
    routes = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const admin = `Bearer ${t.keys.admin}`;
    revoked = (
      await request(t.url)
        .post('/api/v1/api-keys')
        .set('Authorization', admin)
        .send({ name: 'gone', role: 'admin' })
    ).body.key;
    await request(t.url).delete('/api/v1/api-keys/gone').set('Authorization', admin).expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every documented route has a least role in the table', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((r) => !(r in LEAST_ROLE) && !SIGNED_ROUTES.has(r))).toEqual([]);
    expect([...SIGNED_ROUTES].filter((r) => !routes.includes(r))).toEqual([]);
  });

  function call(route: string, key: string | null) {
    const [method, path] = route.split(' ');
    const url = path.replace('{id}', '00000000-0000-4000-8000-000000000000').replace('{name}', 'nobody');
    const req = request(t.url)[method.toLowerCase() as 'get' | 'post' | 'delete'](url);
    if (key) req.set('Authorization', `Bearer ${key}`);
    if (method !== 'GET') req.send({});
    return req;
  }

  it('refuses each route without a key and with a revoked key (401), below its role (403), and lets its role in', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      if (SIGNED_ROUTES.has(route)) {
        for (const key of [null, revoked, t.keys.viewer, t.keys.operator, t.keys.admin]) {
          const r = await call(route, key);
          if (r.status !== 401)
            failures.push(`${route} unsigned, key ${key ? 'given' : 'none'}: ${r.status}`);
        }
        continue;
      }
      const need = LEAST_ROLE[route];
      const none = await call(route, null);
      if (none.status !== 401) failures.push(`${route} without key: ${none.status}`);
      const rev = await call(route, revoked);
      if (rev.status !== 401) failures.push(`${route} revoked key: ${rev.status}`);
      for (const role of ORDER) {
        const r = await call(route, t.keys[role]);
        const allowed = ORDER.indexOf(role) >= ORDER.indexOf(need);
        if (allowed && (r.status === 401 || r.status === 403))
          failures.push(`${route} as ${role}: ${r.status}, expected access`);
        if (!allowed && r.status !== 403) failures.push(`${route} as ${role}: ${r.status}, expected 403`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('limits each key with 429 and Retry-After', async () => {
    const limited = await startTestApp({ env: { API_RATE_LIMIT: '5' } });
    try {
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 7; i++) {
        const r = await request(limited.url)
          .get('/api/v1/api-keys')
          .set('Authorization', `Bearer ${limited.keys.admin}`);
        statuses.push(r.status);
        if (r.status === 429) retryAfter = r.headers['retry-after'];
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      // Another key has its own budget.
      await request(limited.url)
        .get('/api/v1/api-keys')
        .set('Authorization', `Bearer ${limited.keys.viewer}`)
        .expect(403);
    } finally {
      await limited.close();
    }
  });
});
