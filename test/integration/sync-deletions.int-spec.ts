import { jest } from '@jest/globals';
import { SETTINGS, type Settings } from '../../src/config/settings.js';
import { createCrmPort } from '../../src/crm/crm.module.js';
import { simMapping } from '../../sim/mapping.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import { crmWriteCount } from '../factories/sync-harness.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { simulatorEnv } from '../support/simulator-env.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;
const dataset = generateDataset({
  seed: 11,
  counterparties: 30,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
});
const FIELD = 'ufCrmSverkaDeleted';

/**
 * Deletions over real HTTP and PostgreSQL: a deletion-marked or vanished 1C record is never deleted in
 * the CRM; its link is flagged and, with the Bitrix24 `deletionMarker`, its CRM record carries the marker field until
 * the 1C record is live again. Flags survive a full run.
 */
describe('sync: deletion-marked and vanished 1C records', () => {
  let sims: RunningSimulators;
  let t: TestApp;
  const marked = (): Mapping => {
    const m = simMapping();
    m.crm.bitrix24 = { deletionMarker: { field: FIELD, value: 'Удалён в 1С' } };
    return m;
  };
  /** A sync runner for the mapping, with its own 1C and CRM adapters (the marker lives in the CRM adapter). */
  const runner = (m: Mapping) => {
    const settings = t.app.get<Settings>(SETTINGS);
    return new SyncRunnerService(t.dataSource, m, createOneCPort(settings, m), createCrmPort(settings, m));
  };
  const crmItem = (entity: 'companies' | 'contacts' | 'deals', ref: string) =>
    sims.bitrix24.sim.state.list(entity).find((c) => c.originId === ref && c.originatorId === 'sverka-1c');
  const linkOf = async (ref: string) =>
    (
      (await t.dataSource.query(`SELECT flagged_at, data_version FROM entity_link WHERE onec_ref = $1`, [
        ref,
      ])) as Row[]
    )[0];
  const live = (set: 'counterparties' | 'contacts' | 'deals') =>
    sims.onec.sim
      .rows(set)
      .filter((r: Row) => !r.IsFolder && !r.DeletionMark && (set !== 'deals' || r.Posted)) as Row[];

  beforeAll(async () => {
    sims = await startSimulators({ dataset, bitrixLimits: false });
    t = await startTestApp({ env: simulatorEnv(sims) });
    const first = await runner(marked()).runNow({ trigger: 'cli' });
    expect(first.status).toBe('succeeded');
  });
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  it('marks the CRM record of a deletion-marked counterparty and order and of a vanished contact; deletes nothing', async () => {
    const cp = String(live('counterparties')[0].Ref_Key);
    const contact = String(live('contacts')[1].Ref_Key);
    const order = live('deals').find((o) => crmItem('deals', String(o.Ref_Key)))!;
    const orderRef = String(order.Ref_Key);
    sims.onec.sim.markDeleted('counterparties', cp);
    sims.onec.sim.remove('contacts', contact);
    sims.onec.sim.markDeleted('deals', orderRef);
    const before = sims.bitrix24.sim.state.list('companies').length;

    const run = await runner(marked()).runNow({ trigger: 'cli' });
    expect(run.status).toBe('succeeded');
    expect(sims.bitrix24.sim.state.list('companies')).toHaveLength(before);
    expect(crmItem('companies', cp)![FIELD]).toBe('Удалён в 1С');
    expect(crmItem('contacts', contact)![FIELD]).toBe('Удалён в 1С');
    expect(crmItem('deals', orderRef)).toMatchObject({ stageId: 'LOSE', [FIELD]: 'Удалён в 1С' });
    for (const ref of [cp, contact, orderRef]) expect((await linkOf(ref)).flagged_at).not.toBeNull();
    // The marker is the only thing written to the others: no other company carries it.
    expect(sims.bitrix24.sim.state.list('companies').filter((c) => c[FIELD])).toHaveLength(1);
  });

  it('a full run keeps the flags and their time, and writes nothing for them', async () => {
    const flaggedBefore = (await t.dataSource.query(
      `SELECT onec_ref, flagged_at FROM entity_link WHERE flagged_at IS NOT NULL ORDER BY onec_ref`,
    )) as Row[];
    expect(flaggedBefore).toHaveLength(3);
    sims.bitrix24.sim.clearCalls();
    const run = await runner(marked()).runNow({ trigger: 'cli', full: true });
    expect(run.status).toBe('succeeded');
    expect(crmWriteCount(sims.bitrix24.sim)).toBe(0);
    const flaggedAfter = (await t.dataSource.query(
      `SELECT onec_ref, flagged_at FROM entity_link WHERE flagged_at IS NOT NULL ORDER BY onec_ref`,
    )) as Row[];
    expect(flaggedAfter).toEqual(flaggedBefore);
  });

  it('a counterparty live again in 1C gets its marker cleared and is unflagged', async () => {
    const cp = String(
      sims.onec.sim
        .rows('counterparties')
        .find((r: Row) => r.DeletionMark && crmItem('companies', String(r.Ref_Key)))!.Ref_Key,
    );
    sims.onec.sim.markDeleted('counterparties', cp, false);
    const run = await runner(marked()).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect(run.stats.counterparties).toMatchObject({ updated: 1 });
    expect(crmItem('companies', cp)![FIELD]).toBe('');
    expect((await linkOf(cp)).flagged_at).toBeNull();
  });

  it('a vanished record whose CRM record is gone too is flagged; without a marker no CRM write is made', async () => {
    const [a, b] = live('counterparties')
      .slice(5, 7)
      .map((r) => String(r.Ref_Key));
    sims.bitrix24.sim.state.itemDelete(4, Number(crmItem('companies', a)!.id));
    sims.onec.sim.remove('counterparties', a);
    await runner(marked()).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect((await linkOf(a)).flagged_at).not.toBeNull();

    sims.onec.sim.remove('counterparties', b);
    sims.bitrix24.sim.clearCalls();
    await runner(simMapping()).runNow({ trigger: 'cli', entities: ['counterparties'] });
    expect((await linkOf(b)).flagged_at).not.toBeNull();
    expect(crmItem('companies', b)![FIELD]).toBeUndefined();
    expect(crmWriteCount(sims.bitrix24.sim)).toBe(0);
  });

  it('with deals.ordersSince, orders older than the window are left alone by sync and reconciliation; one removed from 1C is flagged and an orphan', async () => {
    const linked = live('deals').filter((o) => crmItem('deals', String(o.Ref_Key)));
    const dates = linked.map((o) => String(o.Date).slice(0, 10)).sort();
    const since = dates[Math.floor(dates.length / 2)];
    const old = linked.filter((o) => String(o.Date).slice(0, 10) < since).map((o) => String(o.Ref_Key));
    expect(old.length).toBeGreaterThan(2);
    const removed = old.pop()!;
    sims.onec.sim.remove('deals', removed);
    const m = marked();
    m.deals.ordersSince = since;
    // The window is read by the 1C adapter, so this run gets its own adapter for the mapping.
    const settings = t.app.get<Settings>(SETTINGS);
    const onec = createOneCPort(settings, m);
    const crm = createCrmPort(settings, m)!;
    sims.onec.sim.clearCalls();
    const run = await new SyncRunnerService(t.dataSource, m, onec, crm).runNow({
      trigger: 'cli',
      entities: ['deals'],
    });
    expect(run.status).toBe('succeeded');
    expect(run.stats.deals!.scanned).toBeLessThan(linked.length);
    for (const ref of old) {
      expect((await linkOf(ref)).flagged_at).toBeNull();
      expect(crmItem('deals', ref)![FIELD]).toBeUndefined();
    }
    expect((await linkOf(removed)).flagged_at).not.toBeNull();
    expect(crmItem('deals', removed)![FIELD]).toBe('Удалён в 1С');

    const rec = await new ReconcileRunnerService(t.dataSource, settings, m, onec, crm).runNow({
      trigger: 'cli',
      entities: ['counterparties', 'deals'],
      sampleSize: 0,
    });
    expect(rec.status).toBe('succeeded');
    const orphans = (await t.dataSource.query(
      `SELECT onec_ref FROM discrepancy WHERE run_id = $1 AND kind = 'orphan_in_crm' AND entity = 'deals'`,
      [rec.id],
    )) as { onec_ref: string }[];
    expect(orphans.map((o) => o.onec_ref)).toContain(removed);
    for (const ref of old) expect(orphans.map((o) => o.onec_ref)).not.toContain(ref);
  });
});
