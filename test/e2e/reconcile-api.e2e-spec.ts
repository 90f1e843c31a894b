import { jest } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(120_000);

/**
 * The reconciliation REST flow of README.md#the-rest-api over real HTTP: trigger (202), 409 while active,
 * Idempotency-Key, 403 for a viewer, poll to the end, read the run, items with filters and cursor
 * pagination, duplicates, CSV. 1C is the fake 1C over HTTP; no CRM is configured in this app, so the
 * run is `partial` naming the CRM checks it could not do (never a false all clear).
 */
describe('reconciliations over HTTP', () => {
  let t: TestApp;
  let sims: RunningSimulators;
  const dataset = generateDataset({
    seed: 9,
    counterparties: 120,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1,
  });
  const outbox = mkdtempSync(join(tmpdir(), 'sverka-outbox-'));
  const auth = (k: string) => ({ Authorization: `Bearer ${k}` });

  beforeAll(async () => {
    sims = await startSimulators({ dataset, faults: { onec: { latencyMs: 60 } } });
    t = await startTestApp({
      env: {
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        REPORT_LOCALE: 'en',
        REPORT_FROM: 'sverka@example.test',
        REPORT_TO: 'ops@example.test',
        REPORT_OUTBOX_DIR: outbox,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sims?.close();
    rmSync(outbox, { recursive: true, force: true });
  });

  async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean): Promise<T> {
    const end = Date.now() + 20_000;
    for (;;) {
      const v = await fn();
      if (ok(v) || Date.now() > end) return v;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async function poll(id: string): Promise<Record<string, unknown>> {
    const end = Date.now() + 60_000;
    for (;;) {
      const r = await request(t.url)
        .get(`/api/v1/reconciliations/${id}`)
        .set(auth(t.keys.viewer))
        .expect(200);
      if (!['queued', 'running'].includes(r.body.status)) return r.body;
      if (Date.now() > end) throw new Error(`run ${id} still ${r.body.status}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  it('rejects a viewer (403) and unknown body properties (400)', async () => {
    await request(t.url).post('/api/v1/reconciliations').set(auth(t.keys.viewer)).send({}).expect(403);
    const r = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .send({ colour: 'red' })
      .expect(400);
    expect(r.body.detail).toMatch(/colour should not exist/);
    await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .send({ entities: ['planets'] })
      .expect(400);
  });

  it('trigger, 409 naming the active run, same run for a repeated Idempotency-Key, poll, read, filter, page, CSV', async () => {
    const first = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .set('Idempotency-Key', 'k-1')
      .send({ entities: ['counterparties', 'contacts'], dedupe: false })
      .expect(202);
    expect(first.body).toEqual({ id: expect.any(String), status: 'queued' });
    const id = first.body.id as string;

    const again = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .set('Idempotency-Key', 'k-1')
      .send({})
      .expect(202);
    expect(again.body.id).toBe(id);

    const conflict = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .send({})
      .expect(409);
    expect(conflict.headers['content-type']).toMatch(/problem\+json/);
    expect(conflict.body.activeRunId).toBe(id);

    const run = await poll(id);
    expect(run).toMatchObject({ id, status: 'partial', trigger: 'api' });
    const summary = run.summary as {
      skippedChecks: { check: string; reason: string }[];
      discrepancies: Record<string, number>;
    };
    expect(summary.skippedChecks.map((s) => s.check)).toEqual([
      'contacts: CRM snapshot',
      'counterparties: CRM snapshot',
    ]);
    expect(summary.skippedChecks[0].reason).toMatch(/CRM is not configured/);
    const invalid = dataset.truth.invalid.length;
    expect(summary.discrepancies.invalid_value).toBe(invalid);

    // The key still names the finished run; a new trigger is now accepted.
    const afterKey = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .set('Idempotency-Key', 'k-1')
      .send({})
      .expect(202);
    expect(afterKey.body.id).toBe(id);

    const latest = await request(t.url)
      .get('/api/v1/reconciliations/latest')
      .set(auth(t.keys.viewer))
      .expect(200);
    expect(latest.body.id).toBe(id);
    const list = await request(t.url)
      .get('/api/v1/reconciliations?limit=1')
      .set(auth(t.keys.viewer))
      .expect(200);
    expect(list.body.items[0].id).toBe(id);

    // Filters and cursor pagination.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(t.url)
        .get(`/api/v1/reconciliations/${id}/discrepancies`)
        .query({ kind: 'invalid_value', limit: 3, ...(cursor ? { cursor } : {}) })
        .set(auth(t.keys.viewer))
        .expect(200);
      expect(page.body.total).toBe(invalid);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(invalid);
    const contacts = await request(t.url)
      .get(`/api/v1/reconciliations/${id}/discrepancies?entity=contacts`)
      .set(auth(t.keys.viewer))
      .expect(200);
    expect(contacts.body.total).toBe(dataset.truth.invalid.filter((i) => i.entity === 'contacts').length);
    expect(contacts.body.items.every((d: { entity: string }) => d.entity === 'contacts')).toBe(true);
    const none = await request(t.url)
      .get(`/api/v1/reconciliations/${id}/discrepancies?severity=critical`)
      .set(auth(t.keys.viewer))
      .expect(200);
    expect(none.body).toEqual({ items: [], nextCursor: null, total: 0 });
    await request(t.url)
      .get(`/api/v1/reconciliations/${id}/discrepancies?kind=nonsense`)
      .set(auth(t.keys.viewer))
      .expect(400);
    const dups = await request(t.url)
      .get(`/api/v1/reconciliations/${id}/duplicates?scope=cross`)
      .set(auth(t.keys.viewer))
      .expect(200);
    expect(dups.body).toEqual({ items: [], nextCursor: null, total: 0 });

    const csv = await request(t.url)
      .get(`/api/v1/reconciliations/${id}/report`)
      .set(auth(t.keys.viewer))
      .set('Accept', 'text/csv')
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines).toHaveLength(invalid + 1);
    // The kind in words (REPORT_LOCALE en here).
    expect(lines.slice(1).filter((l) => !l.startsWith('Invalid 1C data,'))).toEqual([]);
    const html = await request(t.url)
      .get(`/api/v1/reconciliations/${id}/report`)
      .set(auth(t.keys.viewer))
      .set('Accept', 'text/html')
      .expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toMatch(/<html/i);
    await request(t.url)
      .get(`/api/v1/reconciliations/${id}/report`)
      .set(auth(t.keys.viewer))
      .set('Accept', 'application/pdf')
      .expect(406);

    await request(t.url)
      .get('/api/v1/reconciliations/00000000-0000-4000-8000-000000000000')
      .set(auth(t.keys.viewer))
      .expect(404);
    // Audit and report follow the status change: wait for them.
    const audit = (await until(
      () => t.dataSource.query(`SELECT action, outcome FROM audit_event WHERE target = $1 ORDER BY id`, [id]),
      (rows: unknown[]) => rows.length >= 2,
    )) as { action: string }[];
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'reconcile.run.start',
      'reconcile.run.finish',
    ]);
  });

  it('report: true e-mails the report when the run finishes (here: the .eml outbox); report: false does not', async () => {
    const quiet = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .send({ entities: ['counterparties'] })
      .expect(202);
    await poll(quiet.body.id);
    expect(readdirSync(outbox).filter((f) => f.endsWith('.eml'))).toHaveLength(0);
    const loud = await request(t.url)
      .post('/api/v1/reconciliations')
      .set(auth(t.keys.operator))
      .send({ entities: ['counterparties'], report: true })
      .expect(202);
    const run = await poll(loud.body.id);
    expect(run.status).toBe('partial');
    const emls = await until(
      () => readdirSync(outbox).filter((f) => f.endsWith('.eml')),
      (f) => f.length > 0,
    );
    expect(emls).toHaveLength(1);
  });
});
