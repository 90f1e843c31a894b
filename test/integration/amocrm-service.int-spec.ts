import { resetAccountWindows } from '../../src/crm/amocrm/request-window.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningAmoCrmSimulators } from '../../sim/start-simulators.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- API bodies are probed field by field */
/**
 * The service with CRM_KIND=amocrm against the fake 1C and the fake amoCRM account over real HTTP, at
 * amoCRM's own 7 requests a second: the account is prepared at start, a sync over REST fills it, and a
 * token amoCRM stops accepting fails the next run with one message naming AMOCRM_TOKEN, as
 * /health/ready does. (The whole-system suite runs the rest of the flow against both CRMs.)
 */
describe('the service on amoCRM', () => {
  const dataset = generateDataset({
    seed: 14,
    counterparties: 40,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1,
    onecDuplicateRate: 0,
    crmDuplicateRate: 0,
    crmNewRate: 0,
    invalidRate: 0,
  });
  let sims: RunningAmoCrmSimulators;
  let t: TestApp;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${t.keys.admin}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  const finished = async (id: string) => {
    const end = Date.now() + 120_000;
    for (;;) {
      const r = (await api('GET', `/api/v1/sync/runs/${id}`)).json;
      if (!['queued', 'running'].includes(r.status)) return r;
      if (Date.now() > end) throw new Error(`sync ${id} did not finish: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };

  beforeAll(async () => {
    resetAccountWindows();
    sims = await startSimulators({ dataset, crm: 'amocrm' });
    t = await startTestApp({
      env: {
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        CRM_KIND: 'amocrm',
        AMOCRM_BASE_URL: sims.amocrm.baseUrl,
        AMOCRM_TOKEN: sims.amocrm.token,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  it('prepares the account at start, syncs it over REST at 7 requests a second, reconciles it, and reports an expired token by name', async () => {
    const amo = sims.amocrm.sim;
    // Prepared at start: Sverka's fields exist before any run.
    expect(amo.state.field('companies', 'Ключ 1С')?.type).toBe('text');
    expect(amo.state.status(amo.state.mainPipeline().id, 'К выполнению')).toBeDefined();
    const started = await api('POST', '/api/v1/sync/runs', {});
    expect(started.status).toBe(202);
    const run = await finished(started.json.id);
    expect([
      run.status,
      run.stats.counterparties.failed,
      run.stats.contacts.failed,
      run.stats.deals.failed,
    ]).toEqual(['succeeded', 0, 0, 0]);
    const truth = dataset.truth;
    expect(run.stats.counterparties.created).toBe(truth.counts.counterparties.live);
    expect(amo.summary().rateLimited).toBe(0);
    // Every company once, under its 1C key; contacts linked to their companies; leads in the pipeline.
    const keys = amo.state
      .list('companies')
      .map((c: any) => c.custom_fields_values?.find((f: any) => f.field_name === 'Ключ 1С')?.values[0].value);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(truth.counts.counterparties.live);
    const contacts = amo.state.list('contacts');
    expect(contacts.length).toBe(run.stats.contacts.created);
    expect(contacts.filter((c: any) => amo.state.companyOf('contacts', c.id) === undefined)).toEqual([]);
    expect(amo.state.list('leads').every((l: any) => l.pipeline_id === amo.state.mainPipeline().id)).toBe(
      true,
    );
    // Reconciliation on amoCRM: counts and statuses agree, the debts check is skipped with the adapter's reason.
    const rec = await api('POST', '/api/v1/reconciliations', {});
    expect(rec.status).toBe(202);
    let r: any;
    for (const end = Date.now() + 120_000; ;) {
      r = (await api('GET', `/api/v1/reconciliations/${rec.json.id}`)).json;
      if (!['queued', 'running'].includes(r.status)) break;
      if (Date.now() > end) throw new Error(`reconciliation did not finish: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    expect([r.status, r.summary.skippedChecks]).toEqual([
      'partial',
      [{ check: 'debts: CRM snapshot', reason: 'amoCRM has no invoices Sverka reads' }],
    ]);
    for (const e of ['counterparties', 'contacts', 'deals'] as const) {
      const c = r.summary.counts[e];
      expect([e, c.onec, c.linked, c.crmWithOrigin]).toEqual([e, c.crm, c.crm, c.crm]);
    }
    expect(r.summary.statuses.crm['142']).toBe(r.summary.statuses.onec['Закрыт']);
    const items = (await api('GET', `/api/v1/reconciliations/${rec.json.id}/discrepancies?limit=500`)).json
      .items as any[];
    // amoCRM keeps whole rubles (capabilities.amountDigits 0): a lead holding the 1C amount rounded is no
    // difference, so nothing differs at all.
    expect(items).toEqual([]);
    // And a full sync right after plans no write: the rounded amounts are what it would push.
    const resync = await finished((await api('POST', '/api/v1/sync/runs', { full: true })).json.id);
    expect([resync.status, resync.stats.deals.updated, resync.stats.deals.created]).toEqual([
      'succeeded',
      0,
      0,
    ]);
    const ready = await api('GET', '/health/ready');
    expect(ready.json.info.crm).toEqual({ status: 'up', configured: true, reachable: true });

    // The token is revoked: the next run fails with one message naming AMOCRM_TOKEN; readiness says so.
    amo.revokeToken();
    const again = await api('POST', '/api/v1/sync/runs', { full: true });
    const failed = await finished(again.json.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(
      /^the CRM refused the sync \(UNAUTHORIZED\): UNAUTHORIZED: amoCRM rejected AMOCRM_TOKEN \(HTTP 401 on [A-Z]+ \/api\/v4\/[a-z/]+\): the long-lived token has expired, was revoked or is not this account's/,
    );
    expect(failed.error).not.toContain(sims.amocrm.token);
    const down = await api('GET', '/health/ready');
    expect(down.json.info.crm).toEqual({
      status: 'down',
      configured: true,
      reachable: false,
      error: expect.stringContaining('amoCRM rejected AMOCRM_TOKEN (HTTP 401 on GET /api/v4/account)'),
    });
  }, 180_000);
});
