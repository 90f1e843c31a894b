import { generateDataset, planDrift } from '../dataset/index.js';
import type { CrmCompanyItem, CrmRequisiteRow } from '../dataset/dataset.types.js';
import type { DriftTarget } from '../dataset/drift.js';
import {
  addManagerCompanies,
  formatLinking,
  formatPlan,
  formatReviewItem,
  pickGoLive,
  shareInns,
} from './demo-go-live.js';

type Row = Record<string, unknown>;

describe('npm run demo: go-live cases', () => {
  const make = () => generateDataset({ seed: 2026, counterparties: 300 });

  it('picks 3 + 2×2 clean legal counterparties, the same ones for the same data set', () => {
    const ds = make();
    const drift = planDrift(ds, ds.seed + 1);
    const picks = pickGoLive(ds, drift);
    const refs = (p: typeof picks) => [...p.twice, ...p.shared.flat()].map((r) => r.Ref_Key);
    expect(picks.twice).toHaveLength(3);
    expect(picks.shared).toHaveLength(2);
    expect(refs(pickGoLive(make(), drift))).toEqual(refs(picks));
    expect(new Set(refs(picks)).size).toBe(7);

    const tainted = new Set<unknown>([
      ...ds.truth.duplicates.flatMap((d) => d.members.filter((m) => m.system === 'onec').map((m) => m.id)),
      ...ds.truth.invalid.map((i) => i.ref),
      ...ds.truth.debts.mismatches.map((m) => m.ref),
      ...drift.ops.map((op) => ('ref' in op ? op.ref : op.op === 'addCompany' ? op.duplicateOf : '')),
    ]);
    const crmInns = new Set(ds.crm.requisites.map((q) => q.RQ_INN));
    for (const r of [...picks.twice, ...picks.shared.flat()]) {
      expect(tainted.has(r.Ref_Key)).toBe(false);
      expect([r.IsFolder, r.DeletionMark]).toEqual([false, false]);
      expect(String(r.ИНН)).toMatch(/^\d{10}$/);
      expect(String(r.КПП)).toMatch(/^\d{9}$/);
      expect(crmInns.has(String(r.ИНН))).toBe(false);
      expect(ds.onec.counterparties.filter((c) => c.ИНН === r.ИНН)).toHaveLength(1);
    }
  });

  it('shares an INN and KPP within each pair, in the rows the fake 1C serves', () => {
    const ds = make();
    const picks = pickGoLive(ds, planDrift(ds, ds.seed + 1));
    const [a, b] = picks.shared[0];
    shareInns(picks);
    const same = ds.onec.counterparties.filter((c) => c.ИНН === a.ИНН);
    expect(same.map((c) => String(c.Ref_Key)).sort()).toEqual([String(a.Ref_Key), String(b.Ref_Key)].sort());
    expect(same.map((c) => c.КПП)).toEqual([a.КПП, a.КПП]);
  });

  it("adds the managers' companies: two per counterparty entered twice (one without KPP), one per shared pair", async () => {
    const ds = make();
    const picks = pickGoLive(ds, planDrift(ds, ds.seed + 1));
    const added: { company: Omit<CrmCompanyItem, 'id'>; requisite: Row | null }[] = [];
    const target = {
      addCompany: (
        company: Omit<CrmCompanyItem, 'id'>,
        requisite: Omit<CrmRequisiteRow, 'ID' | 'ENTITY_ID'> | null,
      ) => {
        added.push({ company, requisite });
        return added.length;
      },
    } as unknown as DriftTarget;
    expect(await addManagerCompanies(picks, target)).toBe(8);
    const [t] = picks.twice;
    const [[s]] = picks.shared;
    expect(
      added.map((x) => [x.company.title, x.company.originatorId, x.requisite?.RQ_INN, x.requisite?.RQ_KPP]),
    ).toEqual([
      [t.Description, null, t.ИНН, t.КПП],
      [`${String(t.Description)} (старая карточка)`, null, t.ИНН, ''],
      ...picks.twice.slice(1).flatMap((c) => [
        [c.Description, null, c.ИНН, c.КПП],
        [`${String(c.Description)} (старая карточка)`, null, c.ИНН, ''],
      ]),
      [s.Description, null, s.ИНН, s.КПП],
      [picks.shared[1][0].Description, null, picks.shared[1][0].ИНН, picks.shared[1][0].КПП],
    ]);
  });
});

describe('npm run demo: go-live guide lines', () => {
  const counts = (c: Record<string, number>) => ({
    create: 0,
    update: 0,
    link: 0,
    review: 0,
    unchanged: 0,
    flag: 0,
    conflict: 0,
    skip: 0,
    ...c,
  });

  it('prints a dry run plan per entity in sync order, non-zero actions only', () => {
    expect(
      formatPlan({
        deals: counts({ create: 3388, skip: 578 }),
        contacts: counts({ create: 2808, skip: 186 }),
        counterparties: counts({ create: 1936, link: 46, review: 7, skip: 61 }),
      }),
    ).toBe(
      'counterparties — create 1936, link 46, review 7, skip 61; contacts — create 2808, skip 186; deals — create 3388, skip 578',
    );
    expect(formatPlan({ counterparties: counts({}) })).toBe('counterparties — nothing to do');
  });

  it('says what matching did in a real run, or nothing when it did nothing', () => {
    const stats = (cp: Record<string, number>, ct: Record<string, number> = {}) => ({
      counterparties: { created: 1, linked: 0, held: 0, ...cp },
      contacts: { created: 1, linked: 0, held: 0, ...ct },
      deals: { created: 1, linked: 0, held: 0 },
    });
    expect(formatLinking(stats({ linked: 46, held: 7 }))).toBe(
      '46 companies that managers had entered were linked, not duplicated; 7 wait for a decision',
    );
    expect(formatLinking(stats({ linked: 1 }, { linked: 2, held: 1 }))).toBe(
      '1 company and 2 contacts that managers had entered were linked, not duplicated; 1 waits for a decision',
    );
    expect(formatLinking(stats({ held: 2 }))).toBe('nothing was linked; 2 wait for a decision');
    expect(formatLinking(stats({}))).toBeNull();
  });

  it('prints a review item with its INN, reason and candidates', () => {
    expect(
      formatReviewItem({
        name: 'ООО "Энерго Инвест Плюс"',
        inn: '3693925490',
        reason: '2 CRM companies have INN 3693925490',
        candidates: [
          { crmId: '128', title: 'ООО "Энерго Инвест Плюс"' },
          { crmId: '129', title: 'ООО "Энерго Инвест Плюс" (старая карточка)' },
        ],
      }),
    ).toBe(
      'ООО "Энерго Инвест Плюс" (ИНН 3693925490): 2 CRM companies have INN 3693925490 — candidates 128 ООО "Энерго Инвест Плюс", 129 ООО "Энерго Инвест Плюс" (старая карточка)',
    );
    expect(
      formatReviewItem({
        name: 'Иванов',
        inn: null,
        reason: '2 contacts',
        candidates: [{ crmId: '7', title: 'Иванов' }],
      }),
    ).toBe('Иванов: 2 contacts — candidates 7 Иванов');
  });
});
