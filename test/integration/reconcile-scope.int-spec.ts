import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap.js';
import { parseSettings, SettingsError, type Settings } from '../../src/config/settings.js';
import { Bitrix24Adapter } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import { createDataSource } from '../../src/database/data-source.js';
import { DedupeService } from '../../src/dedupe/dedupe.service.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { OneCError } from '../../src/onec/onec.error.js';
import { OneCODataAdapter } from '../../src/onec/odata/odata.adapter.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../../src/onec/onec.types.js';
import { ReconcileQueryService } from '../../src/reconcile/reconcile-query.service.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import type { DiscrepancyItem } from '../../src/reconcile/reconcile.types.js';
import { ScopeError, ScopeService } from '../../src/scope/scope.service.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import type { Bitrix24Simulator } from '../../sim/bitrix24/index.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { simMapping } from '../../sim/mapping.js';
import type { OneCSimulator } from '../../sim/onec/onec-simulator.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import request from 'supertest';
import { startTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(240_000);

/**
 * The pilot scope and SYNC_ENTITIES in reconciliation, with both real adapters over real HTTP (the fake
 * 1C, the fake Bitrix24 portal) and real PostgreSQL: a real sync fills the portal for the whole base, a
 * sub-folder is added under one of the data set's folders, then CRM records of in-scope and out-of-scope
 * counterparties are deleted and reconciliation runs with a scope of that folder and one INN.
 */
const base = simMapping();
const dataset = generateDataset({ seed: 31, counterparties: 120, contactsPerCounterparty: 1, ordersPerCounterparty: 1.5 });
const EMPTY = '00000000-0000-0000-0000-000000000000';
const UNKNOWN = '0badc0de-0000-4000-8000-000000000001';
const digits = (s: string) => s.replace(/\D/g, '');
const scoped = (scope: Mapping['scope']): Mapping => ({ ...structuredClone(base), scope });

describe('pilot scope and SYNC_ENTITIES over the fake 1C and the fake Bitrix24 portal', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sims: RunningSimulators;
  let b24: Bitrix24Simulator;
  let onecSim: OneCSimulator;
  let settings: Settings;
  let onec: OneCPort;
  let crm: Bitrix24Adapter;
  /** The scope's folder (of the data set), its new sub-folder, the one INN. */
  let folder: string;
  let sub: string;
  let inn: string;
  let cps: OneCCounterparty[];
  let contacts: OneCContact[];
  let orders: OneCOrder[];
  /** In-scope counterparty refs as the test works them out (folder, sub-folder, INN). */
  let inScope: Set<string>;
  /** Deleted in the CRM: A (in the folder), X (in the sub-folder), B (out of scope). */
  let A: string, X: string, B: string;
  /** Deleted in the CRM: a contact person of an in-scope counterparty, one and an order of an out-of-scope one. */
  let inContact: string, outContact: string, outOrder: string;

  const items = async (runId: string) => {
    const out: DiscrepancyItem[] = [];
    for await (const d of new ReconcileQueryService(ds).allDiscrepancies(runId)) out.push(d);
    return out;
  };
  const refs = (all: DiscrepancyItem[], kind: string, entity: string) =>
    all
      .filter((d) => d.kind === kind && d.entity === entity)
      .map((d) => d.onecRef!)
      .sort();
  const link = async (entity: string, ref: string) =>
    (
      (await ds.query(`SELECT crm_id FROM entity_link WHERE entity = $1 AND onec_ref = $2`, [entity, ref])) as {
        crm_id: string;
      }[]
    )[0].crm_id;
  const readAll = async <T>(entity: 'counterparties' | 'contacts' | 'deals') => {
    const out: T[] = [];
    for await (const p of onec.readAll({ entity })) out.push(...(p.records as T[]));
    return out;
  };
  /** The counterparty a discrepancy belongs to. */
  const ownerOf = (d: DiscrepancyItem): string | null =>
    d.entity === 'contacts'
      ? (contacts.find((c) => c.ref === d.onecRef)?.ownerRef ?? null)
      : d.entity === 'deals'
        ? (orders.find((o) => o.ref === d.onecRef)?.counterpartyRef ?? null)
        : d.onecRef;

  beforeAll(async () => {
    db = await createTestDatabase('reconcile_scope');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await ds.runMigrations();
    sims = await startSimulators({ dataset });
    b24 = sims.bitrix24.sim;
    b24.setLimits(false);
    onecSim = sims.onec.sim;
    settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      },
      { mode: 'embedded' },
    );
    onec = createOneCPort(settings, base);
    crm = new Bitrix24Adapter({ webhookUrl: sims.bitrix24.webhookUrl, rps: 1000, burst: 1000, retryScale: 0.01 });

    // A sub-folder under the first folder, and one live top-level counterparty moved into it.
    folder = (dataset.onec.counterparties.find((r) => r.IsFolder)!.Ref_Key as string).toLowerCase();
    sub = String(
      onecSim.add('counterparties', {
        IsFolder: true,
        DeletionMark: false,
        Predefined: false,
        Parent_Key: folder,
        Code: '00-F00001',
        Description: 'Покупатели Москва',
      }).Ref_Key,
    ).toLowerCase();
    const top = dataset.onec.counterparties.filter((r) => !r.IsFolder && !r.DeletionMark && r.Parent_Key === EMPTY);
    X = (top[0].Ref_Key as string).toLowerCase();
    onecSim.update('counterparties', X, { Parent_Key: sub });

    const synced = await new SyncRunnerService(ds, base, onec, crm).runNow({ trigger: 'cli' });
    expect(synced.status).toBe('succeeded');
    const links = (await ds.query(`SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties'`)) as {
      onec_ref: string;
      crm_id: string;
    }[];
    b24.state.addInvoices(
      dataset.invoicesFor(new Map(links.map((l) => [l.onec_ref, l.crm_id]))) as unknown as Record<string, unknown>[],
    );

    cps = await readAll<OneCCounterparty>('counterparties');
    contacts = await readAll<OneCContact>('contacts');
    orders = await readAll<OneCOrder>('deals');
    const linked = new Set(links.map((l) => l.onec_ref));
    // The INN: a live top-level counterparty with a 10-digit INN that no other counterparty shares.
    const y = cps.find(
      (c) =>
        !c.deletionMark &&
        c.parentRef === null &&
        c.ref !== X &&
        /^\d{10}$/.test(c.inn) &&
        cps.filter((o) => digits(o.inn) === c.inn).length === 1,
    )!;
    inn = y.inn;
    inScope = new Set(
      cps.filter((c) => c.parentRef === folder || c.parentRef === sub || digits(c.inn) === inn).map((c) => c.ref),
    );
    const live = (c: OneCCounterparty) => !c.deletionMark && linked.has(c.ref);
    A = cps.find((c) => live(c) && c.parentRef === folder)!.ref;
    B = cps.find((c) => live(c) && !inScope.has(c.ref))!.ref;
    const contactOf = (pick: (owner: string) => boolean) =>
      contacts.find((c) => !c.deletionMark && c.ownerRef && pick(c.ownerRef) && cps.find((p) => p.ref === c.ownerRef && live(p)))!
        .ref;
    inContact = contactOf((o) => inScope.has(o) && o !== A && o !== X);
    outContact = contactOf((o) => !inScope.has(o) && o !== B);
    const dealLinks = new Set(
      ((await ds.query(`SELECT onec_ref FROM entity_link WHERE entity = 'deals'`)) as { onec_ref: string }[]).map(
        (r) => r.onec_ref,
      ),
    );
    outOrder = orders.find((o) => dealLinks.has(o.ref) && o.counterpartyRef && !inScope.has(o.counterpartyRef) && o.counterpartyRef !== B)!
      .ref;
    for (const ref of [A, X, B]) b24.state.delete('companies', await link('counterparties', ref));
    b24.state.delete('contacts', await link('contacts', inContact));
    b24.state.delete('contacts', await link('contacts', outContact));
    b24.state.delete('deals', await link('deals', outOrder));
  });
  afterAll(async () => {
    await sims?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('the fake 1C answers the scope’s reads: folders with their parents, version-scan keys as the full records have them', async () => {
    const folders = await onec.readFolders('counterparties');
    expect(folders.map((f) => `${f.ref}|${f.parentRef}`).sort()).toEqual(
      [
        ...dataset.onec.counterparties.filter((r) => r.IsFolder).map((r) => `${String(r.Ref_Key).toLowerCase()}|null`),
        `${sub}|${folder}`,
      ].sort(),
    );
    const scanned = new Map<string, unknown>();
    for await (const page of onec.scanVersions({ entity: 'counterparties', withKeys: true }))
      for (const v of page) scanned.set(v.ref, v.keys);
    expect(scanned).toEqual(
      new Map(
        cps.map((c) => [
          c.ref,
          { counterpartyRef: c.ref, deletionMark: c.deletionMark, parentRef: c.parentRef, inn: c.inn, kpp: c.kpp },
        ]),
      ),
    );
    const dealKeys = new Map<string, unknown>();
    for await (const page of onec.scanVersions({ entity: 'deals', withKeys: true }))
      for (const v of page) dealKeys.set(v.ref, v.keys);
    expect(dealKeys).toEqual(
      new Map(orders.map((o) => [o.ref, { counterpartyRef: o.counterpartyRef, deletionMark: o.deletionMark }])),
    );
  });

  it('ScopeService: a folder includes its sub-folder; the INN adds its counterparty', async () => {
    const scope = await new ScopeService(scoped({ counterparties: { folders: [folder], inn: [inn] } }), onec).resolve();
    expect([...scope!.counterparties].sort()).toEqual([...inScope].sort());
    expect(scope!.counterparties.has(X)).toBe(true);
    expect(await new ScopeService(base, onec).resolve()).toBeNull();
  });

  it('with a scope of one folder and one INN: only in-scope records are counted, missing, judged and sampled', async () => {
    const mapping = scoped({ counterparties: { folders: [folder], inn: [inn] } });
    const dedupe = new DedupeService();
    const whole = await new ReconcileRunnerService(ds, settings, base, onec, crm, dedupe).runNow({
      trigger: 'api',
      dedupe: true,
    });
    const run = await new ReconcileRunnerService(ds, settings, mapping, onec, crm, dedupe).runNow({
      trigger: 'api',
      sampleSize: 15,
      dedupe: true,
    });
    expect(run.status).toBe('succeeded');
    const all = await items(run.id);
    const wholeItems = await items(whole.id);

    // Without the scope B is missing too; with it, only A and X (X through the sub-folder).
    expect(refs(wholeItems, 'missing_in_crm', 'counterparties')).toEqual([A, B, X].sort());
    expect(refs(all, 'missing_in_crm', 'counterparties')).toEqual([A, X].sort());
    expect(refs(wholeItems, 'missing_in_crm', 'contacts')).toEqual([inContact, outContact].sort());
    expect(refs(all, 'missing_in_crm', 'contacts')).toEqual([inContact]);
    expect(refs(wholeItems, 'missing_in_crm', 'deals')).toEqual([outOrder]);
    expect(refs(all, 'missing_in_crm', 'deals')).toEqual([]);

    // Nothing of an out-of-scope counterparty anywhere (the whole run had some: the filter matters).
    const outside = (list: DiscrepancyItem[]) =>
      list.filter((d) => d.onecRef !== null && !inScope.has(ownerOf(d) ?? '')).map((d) => `${d.kind}|${d.entity}|${d.onecRef}`);
    expect(outside(wholeItems).length).toBeGreaterThan(0);
    expect(outside(all)).toEqual([]);

    // Validation: exactly the planted invalid values of in-scope records.
    const ownerOfTruth = (i: { entity: string; ref: string }) =>
      i.entity === 'contacts' ? (contacts.find((c) => c.ref === i.ref)?.ownerRef ?? '') : i.ref;
    expect(
      all
        .filter((d) => d.kind === 'invalid_value')
        .map((d) => `${d.entity}|${d.onecRef}|${d.field}`)
        .sort(),
    ).toEqual(
      dataset.truth.invalid
        .filter((i) => inScope.has(ownerOfTruth(i)))
        .map((i) => `${i.entity}|${i.ref}|${i.field}`)
        .sort(),
    );

    // Counts: the live in-scope counterparties; linked: those still in the CRM; the CRM total is all of it.
    const liveIn = cps.filter((c) => !c.deletionMark && inScope.has(c.ref)).length;
    const counts = run.summary!.counts.counterparties!;
    expect([counts.onec, counts.linked, counts.crmWithOrigin]).toEqual([liveIn, liveIn - 2, liveIn - 2]);
    expect(counts.crm).toBe(whole.summary!.counts.counterparties!.crm);
    expect(
      all
        .filter((d) => d.kind === 'count_mismatch' && d.entity === 'counterparties')
        .map((d) => `${d.onecValue}|${d.crmValue}`),
    ).toEqual([`${liveIn}|${liveIn - 2}`]);

    // Debts: both sides the pilot's only.
    const debts = (await onec.readDebts()).filter((d) => inScope.has(d.counterpartyRef));
    const onecTotal = debts.reduce((s, d) => s + Math.round(Number(d.amount) * 100), 0);
    expect(run.summary!.debts!.onecTotal).toBe((onecTotal / 100).toFixed(2));
    expect(refs(all, 'debt_mismatch', 'debts')).toEqual(
      dataset.truth.debts.mismatches
        .filter((m) => !m.withinTolerance && inScope.has(m.ref))
        .map((m) => m.ref)
        .sort(),
    );
    expect(Number(run.summary!.debts!.crmTotal)).toBeLessThan(Number(whole.summary!.debts!.crmTotal));

    // Duplicates: 1C members are in-scope ones only (the whole base had others).
    const onecMembers = async (runId: string) =>
      (
        (await ds.query(
          `SELECT m->>'id' AS id FROM duplicate_cluster, jsonb_array_elements(members) m WHERE run_id = $1 AND m->>'system' = 'onec'`,
          [runId],
        )) as { id: string }[]
      ).map((r) => r.id);
    expect((await onecMembers(whole.id)).filter((id) => !inScope.has(id)).length).toBeGreaterThan(0);
    expect((await onecMembers(run.id)).filter((id) => !inScope.has(id))).toEqual([]);
  });

  it('SYNC_ENTITIES=counterparties: no contact or deal item; their checks are skipped with the reason; not partial', async () => {
    const only = parseSettings({ ...settingsEnv(), SYNC_ENTITIES: 'counterparties' }, { mode: 'embedded' });
    const runner = new ReconcileRunnerService(ds, only, base, onec, crm);
    const run = await runner.runNow({ trigger: 'api', sampleSize: 10 });
    expect(run.status).toBe('succeeded');
    const all = await items(run.id);
    expect([...new Set(all.map((d) => d.entity))].sort()).toEqual(['counterparties', 'debts']);
    expect(refs(all, 'missing_in_crm', 'counterparties')).toEqual([A, B, X].sort());
    expect(run.summary!.skippedChecks).toEqual([
      { check: 'contacts: comparison', reason: 'switched off by SYNC_ENTITIES (counterparties)', switchedOff: true },
      { check: 'deals: comparison', reason: 'switched off by SYNC_ENTITIES (counterparties)', switchedOff: true },
    ]);
    expect(Object.keys(run.summary!.counts).sort()).toEqual(['counterparties']);
    // The default entities of a run are the enabled ones (debts with counterparties).
    const [row] = (await ds.query(`SELECT options FROM reconciliation_run WHERE id = $1`, [run.id])) as {
      options: { entities: string[] } | string;
    }[];
    const options = typeof row.options === 'string' ? JSON.parse(row.options) : row.options;
    expect(options.entities).toEqual(['counterparties', 'debts']);
  });

  it('a scope folder that is a counterparty, or unknown, refuses the start naming it; a run fails with the same lines', async () => {
    const bad = scoped({ counterparties: { folders: [folder, A, UNKNOWN] } });
    const lines = [
      `ONEC_MAPPING_FILE scope.counterparties.folders.1: ${A} is a counterparty (an item of the catalog), not a folder`,
      `ONEC_MAPPING_FILE scope.counterparties.folders.2: ${UNKNOWN} is not in 1C (no folder of the counterparty catalog has this Ref_Key)`,
    ];
    const svc = new ScopeService(bad, onec);
    const refused = await svc.checkAtStart().then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(SettingsError);
    expect((refused as SettingsError).problems).toEqual(lines);
    const failed = await svc.resolve().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(ScopeError);
    expect((failed as ScopeError).problems).toEqual(lines);
    await expect(new ScopeService(scoped({ counterparties: { folders: [folder, sub] } }), onec).checkAtStart()).resolves.toBeUndefined();

    const run = await new ReconcileRunnerService(ds, settings, bad, onec, crm).runNow({ trigger: 'api' });
    expect(run.status).toBe('failed');
    const [row] = (await ds.query(`SELECT error FROM reconciliation_run WHERE id = $1`, [run.id])) as { error: string }[];
    expect(row.error).toContain(lines[0]);
  });

  it('1C unreachable at start: the start goes on (a warning), each resolve checks again', async () => {
    const down = new OneCODataAdapter({
      baseUrl: 'http://127.0.0.1:9/odata/standard.odata',
      user: 'u',
      password: 'p',
      mapping: base,
      retryDelaysMs: [1, 1],
    });
    const svc = new ScopeService(scoped({ counterparties: { folders: [A] } }), down);
    await expect(svc.checkAtStart()).resolves.toBeUndefined();
    await expect(svc.resolve()).rejects.toBeInstanceOf(OneCError);
  });

  it('the app’s start path runs the check: createApp refuses with the SettingsError naming the ref', async () => {
    const start = createApp({
      settings: parseSettings({ ...settingsEnv(), SCHEDULER_ENABLED: 'false' }, { mode: 'embedded' }),
      mapping: scoped({ counterparties: { folders: [A] } }),
      databaseUrl: db.url,
    });
    const err = await start.then(
      async (app) => {
        await app.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).problems).toEqual([
      `ONEC_MAPPING_FILE scope.counterparties.folders.0: ${A} is a counterparty (an item of the catalog), not a folder`,
    ]);
  });

  it('API with SYNC_ENTITIES=counterparties: a switched-off entity asked for is a 400 naming it; no list = the enabled ones', async () => {
    const t = await startTestApp({ env: { SYNC_ENTITIES: 'counterparties' } });
    try {
      const auth = { Authorization: `Bearer ${t.keys.operator}` };
      const refused = await request(t.url).post('/api/v1/reconciliations').set(auth).send({ entities: ['counterparties', 'deals'] });
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect(refused.body.detail).toBe('entities: deals is switched off by SYNC_ENTITIES (counterparties)');
      const created = await request(t.url).post('/api/v1/reconciliations').set(auth).send({ dedupe: false, sampleSize: 0 });
      expect(created.status).toBe(202);
      const [row] = (await t.dataSource.query(`SELECT options FROM reconciliation_run WHERE id = $1`, [created.body.id])) as {
        options: { entities: string[] } | string;
      }[];
      const options = typeof row.options === 'string' ? JSON.parse(row.options) : row.options;
      expect(options.entities).toEqual(['counterparties', 'debts']);
    } finally {
      await t.close();
    }
  });

  function settingsEnv(): Record<string, string> {
    return {
      LOG_LEVEL: 'silent',
      DATABASE_URL: db.url,
      ONEC_ODATA_URL: sims.onec.url,
      ONEC_USER: sims.onec.user,
      ONEC_PASSWORD: sims.onec.password,
      BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
    };
  }
});
