import { jest } from '@jest/globals';
import { generateDataset } from '../../sim/dataset/index.js';
import { simMapping } from '../../sim/mapping.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { ScopeService } from '../../src/scope/scope.service.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import { crmWriteCount, startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;

/**
 * Pilot scope and staged switches in sync (real HTTP to the fake 1C and Bitrix24, a real PostgreSQL): only
 * the counterparties of one folder (and one more by INN), with their contact persons and orders, reach the
 * CRM; a record leaving the scope is left alone, not flagged; SYNC_ENTITIES=counterparties writes no
 * contact or deal.
 */
describe('sync: pilot scope and SYNC_ENTITIES', () => {
  let h: SyncHarness;
  const dataset = generateDataset({
    seed: 31,
    counterparties: 40,
    contactsPerCounterparty: 1,
    ordersPerCounterparty: 1,
    crmDuplicateRate: 0,
    crmNewRate: 0,
  });
  beforeAll(async () => {
    h = await startSyncHarness(dataset);
  });
  afterAll(async () => {
    await h?.close();
  });

  const rows = (set: string) => h.sims.onec.sim.rows(set) as Row[];
  const ours = (entity: 'companies' | 'contacts' | 'deals') =>
    h.sim.state
      .list(entity)
      .filter((c) => c.originatorId === 'sverka-1c')
      .map((c) => String(c.originId));

  it('syncs only the scope: a folder (with its sub-folder) and one INN, with their contact persons and orders', async () => {
    const folders = rows('counterparties').filter((r) => r.IsFolder);
    const folder = String(folders[0].Ref_Key);
    // A sub-folder of it, holding one counterparty from elsewhere.
    const sub = h.sims.onec.sim.add('counterparties', {
      ...folders[1],
      Ref_Key: 'f0f0f0f0-0000-4000-8000-000000000001',
      Code: '99-0001',
      Description: 'Подгруппа',
      Parent_Key: folder,
    });
    const items = rows('counterparties').filter((r) => !r.IsFolder && !r.DeletionMark);
    const moved = items.find((r) => r.Parent_Key !== folder)!;
    h.sims.onec.sim.update('counterparties', String(moved.Ref_Key), { Parent_Key: sub.Ref_Key });
    const byInn = items.find((r) => r.Parent_Key !== folder && r !== moved && String(r.ИНН).length >= 10)!;
    const mapping = simMapping();
    mapping.scope = { counterparties: { folders: [folder], inn: [String(byInn.ИНН)] } };
    const onec = createOneCPort(h.settings, mapping);
    const runner = new SyncRunnerService(
      h.ds,
      mapping,
      onec,
      h.crm,
      null,
      null,
      null,
      null,
      new ScopeService(mapping, onec),
    );
    const run = await runner.runNow({ trigger: 'api' });
    expect(run.status).toBe('succeeded');

    const inScope = new Set(
      rows('counterparties')
        .filter(
          (r) =>
            !r.IsFolder &&
            !r.DeletionMark &&
            (r.Parent_Key === folder || r.Parent_Key === sub.Ref_Key || r.ИНН === byInn.ИНН),
        )
        .map((r) => String(r.Ref_Key)),
    );
    expect(inScope.has(String(moved.Ref_Key))).toBe(true);
    expect(ours('companies').sort()).toEqual([...inScope].sort());
    const people = rows('contacts').filter((p) => !p.DeletionMark && inScope.has(String(p.ОбъектВладелец)));
    expect(ours('contacts').sort()).toEqual(people.map((p) => String(p.Ref_Key)).sort());
    const orders = rows('orders').filter(
      (o) => o.Posted && !o.DeletionMark && inScope.has(String(o.Контрагент_Key)),
    );
    expect(ours('deals').sort()).toEqual(orders.map((o) => String(o.Ref_Key)).sort());
    expect(run.stats.counterparties!.scanned).toBe(
      inScope.size +
        rows('counterparties').filter(
          (r) => !r.IsFolder && r.DeletionMark && (r.Parent_Key === folder || r.ИНН === byInn.ИНН),
        ).length,
    );

    // Narrowing the scope leaves the synced records alone: not flagged as gone, not written.
    const narrow = simMapping();
    narrow.scope = { counterparties: { inn: [String(byInn.ИНН)] } };
    const onec2 = createOneCPort(h.settings, narrow);
    h.sim.clearCalls();
    const again = await new SyncRunnerService(
      h.ds,
      narrow,
      onec2,
      h.crm,
      null,
      null,
      null,
      null,
      new ScopeService(narrow, onec2),
    ).runNow({
      trigger: 'api',
    });
    expect(again.status).toBe('succeeded');
    expect(crmWriteCount(h.sim)).toBe(0);
    const flagged = (await h.ds.query(
      `SELECT count(*)::int AS n FROM entity_link WHERE flagged_at IS NOT NULL`,
    )) as { n: number }[];
    expect(flagged[0].n).toBe(0);
  });

  it('SYNC_ENTITIES=counterparties: a run covers counterparties only, and writes no contact or deal', async () => {
    await h.ds.query(`TRUNCATE entity_link, sync_skipped`);
    for (const e of ['contacts', 'deals', 'companies'] as const)
      for (const c of h.sim.state.list(e)) h.sim.state.delete(e, c.id);
    const onec = createOneCPort(h.settings, h.mapping);
    const runner = new SyncRunnerService(h.ds, h.mapping, onec, h.crm, null, null, null, null, null, [
      'counterparties',
    ]);
    const run = await runner.runNow({ trigger: 'api' });
    expect(run.status).toBe('succeeded');
    expect(run.entities).toEqual(['counterparties']);
    expect(Object.keys(run.stats)).toEqual(['counterparties']);
    expect(ours('contacts')).toEqual([]);
    expect(ours('deals')).toEqual([]);
    expect(ours('companies').length).toBe(
      rows('counterparties').filter((r) => !r.IsFolder && !r.DeletionMark).length,
    );
    // Asking for a switched-off entity explicitly gives a run without it.
    const only = await runner.runNow({ trigger: 'api', entities: ['counterparties', 'deals'] });
    expect(only.entities).toEqual(['counterparties']);
  });
});
