import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDrift, planDrift } from './drift.js';
import { generateDataset } from './generate-dataset.js';

describe('planDrift and writeDataset', () => {
  const ds = generateDataset({ seed: 3, counterparties: 600 });

  it('plans every kind of drift deterministically, on clean and distinct targets, with expectations', () => {
    const plan = planDrift(ds, 99);
    expect(JSON.stringify(planDrift(ds, 99))).toBe(JSON.stringify(plan));
    const kinds = new Set(plan.ops.map((o) => o.op));
    expect([...kinds].sort()).toEqual([
      'addCompany',
      'changeDealStage',
      'changeInvoiceSum',
      'deleteCompany',
      'editCompanyTitle',
      'editRequisite',
    ]);
    const refs = plan.ops.flatMap((o) => ('ref' in o ? [o.ref] : 'duplicateOf' in o ? [o.duplicateOf] : []));
    expect(new Set(refs).size).toBe(refs.length);
    const planted = new Set(ds.truth.debts.mismatches.map((m) => m.ref));
    for (const m of plan.expect.debtMismatches) {
      expect(planted.has(m.ref)).toBe(false);
      expect(m.crm).not.toBe(m.onec);
    }
    for (const s of plan.expect.statusMismatches) expect(s.crmStage).not.toBe(s.expectedStage);
    expect(plan.expect.crossDuplicates).toHaveLength(plan.ops.filter((o) => o.op === 'addCompany').length);
    expect(ds.truth.drift).toEqual(planDrift(ds, ds.seed));
  });

  it('applies a plan through a DriftTarget and skips ops whose record is not linked', async () => {
    const plan = planDrift(ds, 5);
    const calls: string[] = [];
    const unlinked = plan.expect.missingInCrm[0];
    const res = await applyDrift(plan, {
      companyIdOf: (ref) => (ref === unlinked ? undefined : `c-${ref.slice(0, 4)}`),
      dealIdOf: (ref) => `d-${ref.slice(0, 4)}`,
      updateCompany: (id, f) => void calls.push(`title ${id} ${f.title}`),
      updateRequisite: (id, xml, f) => void calls.push(`rq ${id} ${xml} ${JSON.stringify(f)}`),
      deleteCompany: (id) => void calls.push(`delete ${id}`),
      updateDeal: (id, f) => void calls.push(`deal ${id} ${f.stageId}`),
      updateInvoiceByXmlId: (xml, f) => void calls.push(`invoice ${xml} ${f.opportunity}`),
      addCompany: () => 9000 + calls.push('add'),
    });
    expect(res.applied).toBe(plan.ops.length - 1);
    expect(res.skipped).toEqual([{ op: 'deleteCompany', key: unlinked, reason: 'no linked company' }]);
    expect(Object.keys(res.addedCompanyIdByRef).sort()).toEqual(
      plan.expect.crossDuplicates.map((c) => c.ref).sort(),
    );
    expect(calls).toHaveLength(plan.ops.length - 1);
  });

  it('writes the data and the truth as JSON beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sverka-ds-'));
    try {
      await ds.writeDataset(dir);
      const truth = JSON.parse(await readFile(join(dir, 'truth.json'), 'utf8'));
      expect(truth).toEqual(JSON.parse(JSON.stringify(ds.truth)));
      const rows = JSON.parse(await readFile(join(dir, 'onec', 'counterparties.json'), 'utf8'));
      expect(rows).toHaveLength(ds.onec.counterparties.length);
      const companies = JSON.parse(await readFile(join(dir, 'crm', 'companies.json'), 'utf8'));
      expect(companies[0]).toEqual(ds.crm.companies[0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
