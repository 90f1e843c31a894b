import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { createDataSource } from '../../src/database/data-source.js';
import { DedupeService } from '../../src/dedupe/dedupe.service.js';
import { simMapping } from '../../sim/mapping.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { ReconcileQueryService } from '../../src/reconcile/reconcile-query.service.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import type { DiscrepancyItem } from '../../src/reconcile/reconcile.types.js';
import { applyDrift, generateDataset, planDrift, type Dataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { SeededCrm } from './reconcile-support.js';

/**
 * Reconciliation against the fake 1C (real HTTP, real adapter) and a CRM seeded as a correct sync
 * would leave it, on real PostgreSQL: every planted problem is found, nothing else is.
 */
jest.setTimeout(120_000);

const mapping = simMapping();
const dataset: Dataset = generateDataset({
  seed: 5,
  counterparties: 160,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 2,
});

describe('reconciliation finds what the generator planted, and nothing else', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sims: RunningSimulators;
  let settings: Settings;
  let onec: OneCPort;
  let metrics: SverkaMetrics;

  /** Writes sync's link table as sync would have left it for this CRM. */
  const seedLinks = async (crm: SeededCrm) => {
    const links = crm.links();
    await ds.query(`DELETE FROM entity_link`);
    await ds.query(
      `INSERT INTO entity_link (entity, onec_ref, crm_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [links.map((l) => l.entity), links.map((l) => l.onecRef), links.map((l) => l.crmId)],
    );
  };
  const runner = (crm: SeededCrm, over: Partial<Settings> = {}) =>
    new ReconcileRunnerService(
      ds,
      { ...settings, ...over },
      mapping,
      onec,
      crm,
      new DedupeService(),
      metrics,
      undefined,
    );
  const items = async (runId: string): Promise<DiscrepancyItem[]> => {
    const q = new ReconcileQueryService(ds);
    const out: DiscrepancyItem[] = [];
    for await (const d of q.allDiscrepancies(runId)) out.push(d);
    return out;
  };
  const of = (all: DiscrepancyItem[], kind: string) => all.filter((d) => d.kind === kind);

  beforeAll(async () => {
    db = await createTestDatabase('reconcile');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await ds.runMigrations();
    sims = await startSimulators({ dataset });
    settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
      },
      { mode: 'embedded' },
    );
    onec = createOneCPort(settings, mapping);
    metrics = new SverkaMetrics({ defaultMetrics: false });
  });
  afterAll(async () => {
    await sims?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('two systems just synced: only the planted invalid values and debt differences, with duplicates clustered', async () => {
    const crm = await SeededCrm.synced(dataset, onec, mapping);
    await seedLinks(crm);
    const run = await runner(crm).runNow({ trigger: 'api', sampleSize: 25, dedupe: true });
    expect(run.status).toBe('succeeded');
    const all = await items(run.id);
    const kinds = new Set(all.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['debt_mismatch', 'invalid_value']);

    // Validation: every planted invalid INN / KPP / OGRN / phone / e-mail, and no valid value flagged.
    const found = of(all, 'invalid_value')
      .map((d) => `${d.entity}|${d.onecRef}|${d.field}|${d.onecValue}`)
      .sort();
    const planted = dataset.truth.invalid.map((i) => `${i.entity}|${i.ref}|${i.field}|${i.value}`).sort();
    expect(found).toEqual(planted);
    for (const f of ['inn', 'phones', 'emails']) expect(planted.some((p) => p.includes(`|${f}|`))).toBe(true);

    // Debts: exactly the planted mismatches beyond the tolerance, to the kopeck; none within it.
    const expectedDebts = dataset.truth.debts.mismatches
      .filter((m) => !m.withinTolerance)
      .map((m) => `${m.ref}|${m.onec}|${m.crm}`)
      .sort();
    expect(
      of(all, 'debt_mismatch')
        .map((d) => `${d.onecRef}|${d.onecValue}|${d.crmValue}`)
        .sort(),
    ).toEqual(expectedDebts);
    expect(dataset.truth.debts.mismatches.some((m) => m.withinTolerance)).toBe(true);
    expect(run.summary!.debts!.onecTotal).toBe(dataset.truth.debts.onecTotal);
    expect(run.summary!.debts!.crmTotal).toBe(dataset.truth.debts.crmOpenTotal);
    expect(run.summary!.debts!.mismatched).toBe(expectedDebts.length);

    // Counts agree; the control sample agrees with the bulk path.
    const c = run.summary!.counts.counterparties!;
    expect(c.onec).toBe(dataset.truth.counts.counterparties.live);
    expect(c.linked).toBe(c.onec);
    expect(c.crmWithOrigin).toBe(c.onec);
    expect(c.crm).toBe(c.onec + dataset.crm.companies.length);
    expect(run.summary!.sample).toEqual({ size: 25, mismatched: 0 });
    const statuses = run.summary!.statuses!;
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    const mapped = Object.fromEntries(
      Object.entries(statuses.onec).filter(([k]) => k in mapping.deals.statusMap),
    );
    expect(sum(mapped)).toBe(run.summary!.counts.deals!.onec);
    expect(sum(statuses.crm)).toBe(run.summary!.counts.deals!.crmWithOrigin);
    for (const s of dataset.truth.unmappedStatuses) expect(Object.keys(statuses.onec)).toContain(s);

    // Duplicates are stored and counted.
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM duplicate_cluster WHERE run_id = $1`, [
      run.id,
    ])) as { n: number }[];
    const d = run.summary!.duplicates!;
    expect(n).toBe((d.onec ?? 0) + (d.crm ?? 0) + (d.cross ?? 0));
    expect(d.cross).toBeGreaterThan(0);
    expect(run.summary!.discrepanciesByEntity!.debts!.debt_mismatch).toBe(expectedDebts.length);

    // Metrics (README.md#prometheus-and-grafana) from the finished run.
    const runs = await metrics.reconcileRuns.get();
    expect(runs.values.find((v) => v.labels.status === 'succeeded')?.value).toBeGreaterThanOrEqual(1);
    const gauge = await metrics.reconcileDiscrepancies.get();
    expect(
      gauge.values.find((v) => v.labels.entity === 'debts' && v.labels.kind === 'debt_mismatch')?.value,
    ).toBe(expectedDebts.length);
    const debt = await metrics.openDebt.get();
    expect(debt.values.find((v) => v.labels.system === 'onec')?.value).toBe(
      Number(dataset.truth.debts.onecTotal),
    );
  });

  it('CRM drift after the sync: every edit is reported as the drift plan expects, nothing more', async () => {
    const crm = await SeededCrm.synced(dataset, onec, mapping);
    await seedLinks(crm);
    const plan = planDrift(dataset, 77, { perKind: 3 });
    const applied = await applyDrift(plan, crm);
    expect(applied.skipped).toEqual([]);
    const run = await runner(crm).runNow({ trigger: 'api', sampleSize: 40 });
    expect(run.status).toBe('succeeded');
    const all = await items(run.id);
    const e = plan.expect;

    expect(
      of(all, 'field_mismatch')
        .map((d) => `${d.onecRef}|${d.field}|${d.onecValue}|${d.crmValue}`)
        .sort(),
    ).toEqual(e.fieldMismatches.map((f) => `${f.ref}|${f.field}|${f.onecValue}|${f.crmValue}`).sort());
    expect(
      of(all, 'missing_in_crm')
        .map((d) => d.onecRef)
        .sort(),
    ).toEqual([...e.missingInCrm].sort());
    expect(
      of(all, 'status_mismatch')
        .map((d) => `${d.onecRef}|${d.onecValue}|${d.crmValue}`)
        .sort(),
    ).toEqual(e.statusMismatches.map((s) => `${s.orderRef}|${s.expectedStage}|${s.crmStage}`).sort());
    const debts = [
      ...dataset.truth.debts.mismatches
        .filter((m) => !m.withinTolerance)
        .map((m) => `${m.ref}|${m.onec}|${m.crm}`),
      ...e.debtMismatches.map((m) => `${m.ref}|${m.onec}|${m.crm}`),
    ].sort();
    expect(
      of(all, 'debt_mismatch')
        .map((d) => `${d.onecRef}|${d.onecValue}|${d.crmValue}`)
        .sort(),
    ).toEqual(debts);
    // Deleted companies: the counterparty count no longer agrees.
    const counts = of(all, 'count_mismatch');
    expect(counts.map((d) => d.entity)).toEqual(['counterparties']);
    expect(counts[0].onecValue).toBe(String(dataset.truth.counts.counterparties.live));
    expect(counts[0].crmValue).toBe(String(dataset.truth.counts.counterparties.live - e.missingInCrm.length));
    expect(of(all, 'orphan_in_crm')).toEqual([]);
    // The first run is the previous one: the delta shows the new kinds.
    expect(run.summary!.previousRunId).toBeTruthy();
    expect(run.summary!.delta!.missing_in_crm).toBe(e.missingInCrm.length);
  });

  it('a CRM record whose 1C counterparty is deletion-marked or gone is an orphan', async () => {
    const crm = await SeededCrm.synced(dataset, onec, mapping);
    await seedLinks(crm);
    const marked = dataset.onec.counterparties.find((c) => !c.IsFolder && c.DeletionMark)!.Ref_Key as string;
    const id = '999001';
    crm.companies.set(id, {
      ...[...crm.companies.values()].at(-1)!,
      id,
      external: { source: mapping.source, key: marked },
    });
    crm.companies.set('999002', {
      ...[...crm.companies.values()].at(-1)!,
      id: '999002',
      external: { source: mapping.source, key: '00000000-0000-0000-0000-00000000dead' },
    });
    const run = await runner(crm).runNow({ trigger: 'api', entities: ['counterparties'] });
    const orphans = of(await items(run.id), 'orphan_in_crm');
    expect(orphans.map((o) => `${o.crmId}|${o.onecRef}`).sort()).toEqual([
      `999001|${marked}`,
      '999002|00000000-0000-0000-0000-00000000dead',
    ]);
    expect(orphans.find((o) => o.crmId === '999001')!.detail).toMatch(/помеченную на удаление/);
    // The marked one links to its 1C object, the gone one to nothing in 1C; both to their CRM cards.
    expect(orphans.find((o) => o.crmId === '999001')!.onecUrl).toMatch(/#e1cib\/data\//);
    expect(orphans.find((o) => o.crmId === '999002')!.onecUrl).toBeNull();
    expect(orphans.map((o) => o.crmUrl).sort()).toEqual([
      'https://seeded.crm.test/companies/999001/',
      'https://seeded.crm.test/companies/999002/',
    ]);
    // The CRM's extra records are explained: the two orphans and the managers' own companies.
    const c = run.summary!.counts.counterparties!;
    expect(c.crmExtras).toEqual({
      unowned: dataset.truth.counts.crm.companies,
      otherIntegrations: 0,
      orphans: 2,
    });
    expect(c.crm).toBe(c.linked + dataset.truth.counts.crm.companies + 2);
  });

  it('a record the CRM adapter could not read becomes an invalid_value item, not a crash; details in Russian by default', async () => {
    const crm = await SeededCrm.synced(dataset, onec, mapping);
    await seedLinks(crm);
    crm.malformed = [{ entity: 'companies', id: '4242', reason: 'field ID is not a number' }];
    const run = await runner(crm).runNow({ trigger: 'api', entities: ['counterparties'] });
    expect(run.status).toBe('succeeded');
    const all = await items(run.id);
    const bad = all.filter((d) => d.crmId === '4242');
    expect(bad).toEqual([
      expect.objectContaining({
        kind: 'invalid_value',
        entity: 'counterparties',
        severity: 'warning',
        detail: 'Запись CRM не удалось прочитать: field ID is not a number',
      }),
    ]);
    // Seed 5's INN finding is a legal entity's 1C copy entered without its INN (the data set's truth).
    const inn = all.find((d) => d.kind === 'invalid_value' && d.field === 'inn');
    expect(inn?.detail).toMatch(/^Некорректное значение поля «ИНН» в 1С: обязательное поле не заполнено/);
  });

  it('the CRM going down in the middle of a run makes it partial with the reason, never all clear', async () => {
    const crm = await SeededCrm.synced(dataset, onec, mapping);
    await seedLinks(crm);
    crm.failAfterPages = 4; // companies read, then the CRM stops answering
    const run = await runner(crm, { REPORT_LOCALE: 'en' }).runNow({ trigger: 'api' });
    expect(run.status).toBe('partial');
    const skipped = run.summary!.skippedChecks!;
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.map((s) => s.check)).toEqual(
      expect.arrayContaining(['contacts: CRM snapshot', 'deals: CRM snapshot', 'debts: CRM snapshot']),
    );
    expect(skipped[0].reason).toMatch(/did not answer/);
    expect(run.summary!.counts.contacts).toBeUndefined();
    expect(run.summary!.debts).toBeUndefined();
  });
});
