import { jest } from '@jest/globals';
import { createOneCPort } from '../../src/onec/onec.module.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { crmWriteCount, startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';

jest.setTimeout(300_000);

const dataset = generateDataset({
  seed: 4,
  counterparties: 200,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1.5,
});

type Row = Record<string, unknown>;

describe('sync over the fake 1C and the fake Bitrix24 portal', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startSyncHarness(dataset);
  });
  afterAll(async () => {
    await h?.close();
  });

  const mine = (entity: 'companies' | 'contacts' | 'deals') =>
    h.sim.state.list(entity).filter((i) => i.originatorId === h.mapping.source);

  it('first sync: every live 1C record exactly once in the CRM with its fields, requisite and links', async () => {
    const run = await h.runner().runNow({ trigger: 'cli' });
    expect(run.error).toBeNull();
    // No faults: every record is written or deliberately skipped, none fails.
    expect(run.status).toBe('succeeded');
    for (const e of ['counterparties', 'contacts', 'deals'] as const) expect(run.stats[e]?.failed).toBe(0);
    const onec = h.sims.onec.sim;
    const cps = onec.rows('counterparties').filter((r: Row) => !r.IsFolder && !r.DeletionMark);
    const companies = mine('companies');
    const byOrigin = new Map<string, Row[]>();
    for (const c of companies)
      byOrigin.set(String(c.originId), [...(byOrigin.get(String(c.originId)) ?? []), c]);
    expect(companies.length).toBe(cps.length);
    for (const cp of cps) expect(byOrigin.get(String(cp.Ref_Key))?.length).toBe(1);
    // Fields and requisite of every company.
    const reqs = h.sim.state.requisites();
    for (const cp of cps) {
      const c = byOrigin.get(String(cp.Ref_Key))![0];
      expect(c.title).toBe(String(cp.Description).trim());
      const rq = reqs.filter((r) => r.XML_ID === cp.Ref_Key);
      expect(rq).toHaveLength(1);
      expect(rq[0].ENTITY_ID).toBe(String(c.id));
      expect(rq[0].RQ_INN).toBe(String(cp.ИНН ?? '').trim());
    }
    const links = (await h.ds.query(
      `SELECT entity, count(*)::int AS n, count(data_version)::int AS v FROM entity_link GROUP BY entity`,
    )) as {
      entity: string;
      n: number;
      v: number;
    }[];
    const linkCount = Object.fromEntries(links.map((l) => [l.entity, l.n]));
    expect(linkCount.counterparties).toBe(cps.length);
    // Contacts link to their company; deals carry title, amount and stage; nothing twice, nothing missing.
    const check = await checkCrmAgainst1C(createOneCPort(h.settings, h.mapping), h.sim);
    expect(check).toEqual({ duplicates: [], missing: [], wrong: [] });
    expect(mine('contacts').length).toBeGreaterThan(150);
    expect(mine('deals').length).toBeGreaterThan(200);
    expect(linkCount.contacts).toBe(mine('contacts').length);
    expect(linkCount.deals).toBe(mine('deals').length);
  });

  it('a second run makes zero CRM writes', async () => {
    h.sim.clearCalls();
    const run = await h.runner().runNow({ trigger: 'cli' });
    expect(crmWriteCount(h.sim)).toBe(0);
    expect(run.stats.counterparties?.created).toBe(0);
    expect(run.stats.counterparties?.updated).toBe(0);
  });
});
