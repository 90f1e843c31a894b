import { jest } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { Bitrix24Adapter } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import { createDataSource } from '../../src/database/data-source.js';
import { simMapping } from '../../sim/mapping.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { ReconcileQueryService } from '../../src/reconcile/reconcile-query.service.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import type { DiscrepancyItem } from '../../src/reconcile/reconcile.types.js';
import type { Bitrix24Simulator } from '../../sim/bitrix24/index.js';
import { applyDrift, generateDataset, planDrift } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

jest.setTimeout(180_000);

/**
 * Reconciliation with both real adapters over real HTTP: the fake 1C and the fake Bitrix24 portal,
 * after a real sync (SyncRunnerService). Then the data set's invoices are added and managers' drift
 * is applied through the portal's mutation API.
 */
// The data set plants managers' companies with a 1C counterparty's INN as cross duplicates that this test
// expects reconciliation to find; matching (go-live) would adopt them at the first sync, so it is off here
// (test/integration/go-live.int-spec.ts covers matching).
const mapping = simMapping();
mapping.matching = { ...mapping.matching, counterparties: 'off', contacts: 'off' };
const dataset = generateDataset({
  seed: 21,
  counterparties: 100,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1.5,
});

describe('reconciliation over the fake 1C and the fake Bitrix24 portal', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sims: RunningSimulators;
  let sim: Bitrix24Simulator;
  let settings: Settings;
  let onec: OneCPort;
  let crm: Bitrix24Adapter;

  const items = async (runId: string) => {
    const out: DiscrepancyItem[] = [];
    for await (const d of new ReconcileQueryService(ds).allDiscrepancies(runId)) out.push(d);
    return out;
  };
  const of = (all: DiscrepancyItem[], kind: string) => all.filter((d) => d.kind === kind);
  const runner = (port: CrmPort = crm) => new ReconcileRunnerService(ds, settings, mapping, onec, port);

  beforeAll(async () => {
    db = await createTestDatabase('reconcile_b24');
    ds = createDataSource(db.url, { poolSize: 4 });
    await ds.initialize();
    await ds.runMigrations();
    sims = await startSimulators({ dataset });
    if (!sims.bitrix24) throw new Error('the Bitrix24 simulator is not available');
    sim = sims.bitrix24.sim as Bitrix24Simulator;
    sim.setLimits(false);
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
    onec = createOneCPort(settings, mapping);
    crm = new Bitrix24Adapter({
      webhookUrl: sims.bitrix24.webhookUrl,
      rps: 1000,
      burst: 1000,
      retryScale: 0.01,
    });
    // Sync fills the portal (the real SyncRunnerService), then the data set's invoices are added for the linked companies.
    const synced = await new SyncRunnerService(ds, mapping, onec, crm).runNow({ trigger: 'cli' });
    expect(synced.status).toBe('succeeded');
    const links = (await ds.query(
      `SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties'`,
    )) as { onec_ref: string; crm_id: string }[];
    sim.state.addInvoices(
      dataset.invoicesFor(new Map(links.map((l) => [l.onec_ref, l.crm_id]))) as unknown as Record<
        string,
        unknown
      >[],
    );
  });
  afterAll(async () => {
    await sims?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('just synced: only the planted invalid values and debt differences (to the kopeck); the control sample agrees', async () => {
    const run = await runner().runNow({ trigger: 'api', sampleSize: 30 });
    expect(run.status).toBe('succeeded');
    const all = await items(run.id);
    expect([...new Set(all.map((d) => d.kind))].sort()).toEqual(['debt_mismatch', 'invalid_value']);
    expect(
      of(all, 'invalid_value')
        .map((d) => `${d.entity}|${d.onecRef}|${d.field}|${d.onecValue}`)
        .sort(),
    ).toEqual(dataset.truth.invalid.map((i) => `${i.entity}|${i.ref}|${i.field}|${i.value}`).sort());
    expect(
      of(all, 'debt_mismatch')
        .map((d) => `${d.onecRef}|${d.onecValue}|${d.crmValue}`)
        .sort(),
    ).toEqual(
      dataset.truth.debts.mismatches
        .filter((m) => !m.withinTolerance)
        .map((m) => `${m.ref}|${m.onec}|${m.crm}`)
        .sort(),
    );
    expect(run.summary!.debts).toMatchObject({
      onecTotal: dataset.truth.debts.onecTotal,
      crmTotal: dataset.truth.debts.crmOpenTotal,
    });
    expect(run.summary!.sample).toEqual({ size: 30, mismatched: 0 });
    expect(run.summary!.counts.counterparties).toMatchObject({
      onec: dataset.truth.counts.counterparties.live,
      linked: dataset.truth.counts.counterparties.live,
      crm: dataset.truth.counts.counterparties.live + dataset.truth.counts.crm.companies,
      // The CRM's companies beyond the linked ones are the managers' own (no originatorId).
      crmExtras: { unowned: dataset.truth.counts.crm.companies, otherIntegrations: 0, orphans: 0 },
    });
  });

  it('after managers edit the portal: exactly the drift plan expectations', async () => {
    const plan = planDrift(dataset, 5, { perKind: 2 });
    const applied = await applyDrift(plan, sim.driftTarget(mapping.source));
    expect(applied.skipped).toEqual([]);
    const run = await runner().runNow({ trigger: 'api', sampleSize: 20 });
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
    expect(
      of(all, 'debt_mismatch')
        .map((d) => `${d.onecRef}|${d.onecValue}|${d.crmValue}`)
        .sort(),
    ).toEqual(
      [
        ...dataset.truth.debts.mismatches
          .filter((m) => !m.withinTolerance)
          .map((m) => `${m.ref}|${m.onec}|${m.crm}`),
        ...e.debtMismatches.map((m) => `${m.ref}|${m.onec}|${m.crm}`),
      ].sort(),
    );
    expect(of(all, 'orphan_in_crm')).toEqual([]);

    // Every item names its record and links its cards (except a card reconciliation saw gone).
    const portal = new URL(sims.bitrix24.webhookUrl).origin;
    const card = (kind: string, id: string) => `${portal}/crm/${kind}/details/${id}/`;
    for (const d of all.filter((x) => x.kind !== 'count_mismatch')) {
      expect(d.name).toEqual(expect.stringMatching(/\S/));
      const innItself = d.kind === 'invalid_value' && d.field === 'inn';
      if ((d.entity === 'counterparties' || d.entity === 'debts') && !innItself)
        expect(d.inn).toMatch(/^\d{10}(\d{2})?$/);
      if (d.onecRef)
        expect(d.onecUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[^#]+\/#e1cib\/data\/.+\?ref=[0-9a-f]{32}$/);
    }
    for (const d of of(all, 'missing_in_crm')) expect(d.crmUrl).toBeNull();
    for (const d of of(all, 'field_mismatch'))
      expect(d.crmUrl).toBe(
        card(d.entity === 'deals' ? 'deal' : d.entity === 'contacts' ? 'contact' : 'company', d.crmId!),
      );
    // Deal stages read by name, with the 1C status beside the expected stage.
    const stage = of(all, 'status_mismatch')[0];
    expect(stage.onecLabel).toMatch(
      /^(Не согласован|К обеспечению|К выполнению|К отгрузке|Закрыт|Помечен на удаление) → (Новая|Подготовка документов|В работе|Финальный счёт|Сделка успешна|Сделка провалена)$/,
    );
    expect(stage.crmLabel).toMatch(
      /^(Новая|Подготовка документов|В работе|Финальный счёт|Сделка успешна|Сделка провалена)$/,
    );
    expect(stage.detail).not.toMatch(/NEW|PREPARATION|EXECUTING|FINAL_INVOICE|WON|LOSE/);
    for (const d of of(all, 'field_mismatch')) expect(d.detail).toMatch(/^Поле «[А-ЯЁA-Z][^»]*»/);
    expect(
      of(all, 'field_mismatch')
        .map((d) => d.detail)
        .join('\n'),
    ).not.toMatch(/«(title|inn|kpp|ogrn|phones|emails|fullName)»/);
  });

  it('the portal refusing calls in the middle of a run makes it partial with the reason', async () => {
    // After the companies (and their requisites) are read, the portal starts refusing every call.
    let pages = 0;
    const flaky: CrmPort = Object.create(crm) as CrmPort;
    flaky.bulkRead = async function* (opts) {
      for await (const page of crm.bulkRead(opts)) {
        if (++pages === 4) sim.setFaults({ forbid: 'plan' });
        yield page;
      }
    } as CrmPort['bulkRead'];
    try {
      const run = await runner(flaky).runNow({ trigger: 'api' });
      expect(run.status).toBe('partial');
      const skipped = run.summary!.skippedChecks!;
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped.every((s) => /CRM|debts/.test(s.check))).toBe(true);
      expect(skipped[0].reason).toMatch(/FORBIDDEN|ACCESS_DENIED|commercial plans/);
    } finally {
      sim.setFaults({});
    }
  });
});
