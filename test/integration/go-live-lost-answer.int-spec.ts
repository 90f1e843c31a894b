import { jest } from '@jest/globals';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;

/**
 * Linking a manager's company while the fake portal commits every write and loses its answer: the run
 * cannot finish the link, the next one (answers back) finds the company by the 1C key the lost write put
 * on it and completes it — one company, one requisite, nothing created twice.
 */
describe('go-live: a lost answer while linking', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness(
      generateDataset({
        seed: 16,
        counterparties: 6,
        contactsPerCounterparty: 0,
        ordersPerCounterparty: 0,
        crmDuplicateRate: 0,
        crmNewRate: 0,
        invalidRate: 0,
      }),
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the rerun completes the link without a second company or requisite', async () => {
    const cp = h.sims.onec.sim
      .rows('counterparties')
      .find((r: Row) => !r.IsFolder && !r.DeletionMark && String(r.ИНН).length === 10) as Row;
    const state = h.sim.state;
    const company = state.add('companies', { title: 'Введено менеджером', assignedById: 2 });
    state.addRequisite({
      ENTITY_TYPE_ID: 4,
      ENTITY_ID: company.id,
      PRESET_ID: 1,
      NAME: 'Организация',
      RQ_INN: cp.ИНН,
      RQ_KPP: cp.КПП,
    });
    const companiesBefore = state.count('companies');
    h.sim.setFaults({ lostResponseEvery: 1 });
    const first = await h.runner().runNow({ trigger: 'api', entities: ['counterparties'] });
    expect(first.status).toBe('partial');
    h.sim.setFaults({});
    const second = await h.runner().runNow({ trigger: 'api', entities: ['counterparties'] });
    expect(second.status).toBe('succeeded');
    const live = h.sims.onec.sim
      .rows('counterparties')
      .filter((r: Row) => !r.IsFolder && !r.DeletionMark).length;
    // Every live counterparty has one company: the manager's for cp, a new one for each of the others.
    expect(state.count('companies')).toBe(companiesBefore + live - 1);
    const mine = state.list('companies').filter((c) => c.originId === cp.Ref_Key);
    expect(mine.map((c) => c.id)).toEqual([company.id]);
    const reqs = state.requisites().filter((q) => Number(q.ENTITY_ID) === Number(company.id));
    expect(reqs.map((q) => [q.RQ_INN, q.XML_ID])).toEqual([[cp.ИНН, cp.Ref_Key]]);
    const perCompany = new Map<string, number>();
    for (const q of state.requisites())
      perCompany.set(String(q.ENTITY_ID), (perCompany.get(String(q.ENTITY_ID)) ?? 0) + 1);
    expect([...perCompany.values()].filter((n) => n > 1)).toEqual([]);
  });
});
