import { toKopecks, formatKopecks } from '../../src/common/money.js';
import { normalizeEmail, normalizePhone } from '../../src/common/contact-values.js';
import { checkInn, checkKpp, checkOgrn } from '../../src/common/ru-ids.js';
import { convertCounterparty } from '../../src/onec/converters/counterparty.converter.js';
import { convertContact } from '../../src/onec/converters/contact.converter.js';
import { convertOrder } from '../../src/onec/converters/order.converter.js';
import { convertDebts } from '../../src/onec/converters/debt.converter.js';
import { generateDataset } from './generate-dataset.js';
import { openSumByCompany } from './invoices.js';

describe('generateDataset', () => {
  const ds = generateDataset({ seed: 7, counterparties: 1500 });

  it('is reproducible from the seed and differs for another seed', () => {
    const again = generateDataset({ seed: 7, counterparties: 1500 });
    expect(JSON.stringify(again.onec)).toBe(JSON.stringify(ds.onec));
    expect(JSON.stringify(again.crm)).toBe(JSON.stringify(ds.crm));
    expect(JSON.stringify(again.truth)).toBe(JSON.stringify(ds.truth));
    const other = generateDataset({ seed: 8, counterparties: 1500 });
    expect(other.onec.counterparties[10].Ref_Key).not.toBe(ds.onec.counterparties[10].Ref_Key);
  });

  it('converts every row and has valid ids except the planted invalid values', () => {
    const invalid = new Map(ds.truth.invalid.map((i) => [`${i.ref}:${i.field}`, i]));
    let legal = 0;
    for (const row of ds.onec.counterparties) {
      if (row.IsFolder) continue;
      const c = convertCounterparty(row);
      if (!c.ok) throw new Error(c.malformed.reason);
      const cp = c.record;
      const isDupNoInn = cp.inn === '';
      if (!invalid.has(`${cp.ref}:inn`) && !isDupNoInn) expect(checkInn(cp.inn)).toEqual({ ok: true });
      if (cp.kind === 'legal' && !isDupNoInn) {
        legal++;
        if (!invalid.has(`${cp.ref}:kpp`)) expect(checkKpp(cp.kpp)).toEqual({ ok: true });
        if (!invalid.has(`${cp.ref}:ogrn`)) expect(checkOgrn(cp.regNumber)).toEqual({ ok: true });
      }
      const badPhones = cp.phones.filter((p) => normalizePhone(p) === null);
      const badEmails = cp.emails.filter((e) => normalizeEmail(e) === null);
      expect(badPhones.length).toBe(invalid.has(`${cp.ref}:phones`) ? 1 : 0);
      expect(badEmails.length).toBe(invalid.has(`${cp.ref}:emails`) ? 1 : 0);
    }
    expect(legal).toBeGreaterThan(1000);
    for (const i of ds.truth.invalid.filter((x) => x.field === 'inn'))
      expect(checkInn(i.value).ok).toBe(false);
    expect(ds.truth.invalid.length).toBeGreaterThan(20);
    for (const row of ds.onec.contacts) expect(convertContact(row).ok).toBe(true);
    for (const row of ds.onec.orders) expect(convertOrder(row).ok).toBe(true);
  });

  it('counts match the rows', () => {
    const t = ds.truth.counts;
    expect(t.counterparties.rows).toBe(ds.onec.counterparties.length);
    expect(t.counterparties.live).toBe(
      ds.onec.counterparties.filter((r) => !r.IsFolder && !r.DeletionMark).length,
    );
    expect(t.counterparties.items).toBe(
      1500 +
        ds.truth.duplicates.filter((d) => d.scope === 'onec').reduce((s, d) => s + d.members.length - 1, 0),
    );
    expect(t.orders.rows).toBeGreaterThan(2000);
    expect(t.contacts.ownedByCounterparty).toBeLessThan(t.contacts.rows);
  });

  it('plants duplicate clusters of every scope with members that exist', () => {
    const refs = new Set(ds.onec.counterparties.map((r) => r.Ref_Key as string));
    const ids = new Set(ds.crm.companies.map((c) => String(c.id)));
    for (const scope of ['onec', 'crm', 'cross'] as const)
      expect(ds.truth.duplicates.filter((d) => d.scope === scope).length).toBeGreaterThan(2);
    for (const d of ds.truth.duplicates)
      for (const m of d.members) expect(m.system === 'onec' ? refs.has(m.id) : ids.has(m.id)).toBe(true);
    const variants = new Set(ds.truth.duplicates.flatMap((d) => d.variants));
    for (const v of ['legal_form_moved', 'yo', 'latin', 'typo', 'no_inn'])
      expect(variants.has(v as never)).toBe(true);
    expect(ds.truth.lookalikes.length).toBeGreaterThan(0);
    for (const d of ds.truth.duplicates)
      expect(new Set(d.members.map((m) => m.name)).size).toBe(d.members.length);
  });

  it('debts in the truth equal Σ Dr − Σ Cr of the balance rows, and planned invoices give the CRM open sums', () => {
    const { records } = convertDebts(
      ds.onec.balances.filter((b) =>
        ['fb2bde45-f2d1-11e5-8b86-000c295e30eb', 'fb2bde46-f2d1-11e5-8b86-000c295e30eb'].includes(
          b.Account_Key as string,
        ),
      ),
    );
    const computed = Object.fromEntries(records.map((r) => [r.counterpartyRef, r.amount]));
    expect(computed).toEqual(ds.truth.debts.byRef);
    const linked = new Map(Object.keys(ds.crm.invoicePlan).map((ref, i) => [ref, 1000 + i]));
    const invoices = ds.invoicesFor(linked);
    const open = openSumByCompany(invoices);
    let mismatched = 0;
    for (const [ref, id] of linked) {
      const crm = formatKopecks(open.get(id) ?? 0n);
      expect(crm).toBe(ds.truth.debts.crmOpenByRef[ref]);
      if (crm !== (ds.truth.debts.byRef[ref] ?? '0.00')) mismatched++;
    }
    expect(mismatched).toBe(ds.truth.debts.mismatches.length);
    expect(ds.truth.debts.mismatches.some((m) => m.withinTolerance)).toBe(true);
    expect(ds.truth.debts.mismatches.filter((m) => !m.withinTolerance).length).toBeGreaterThanOrEqual(3);
    for (const m of ds.truth.debts.mismatches)
      expect(formatKopecks(toKopecks(m.crm) - toKopecks(m.onec))).toBe(m.delta);
  });

  it('generates 20k counterparties with 40k orders (its speed is a benchmark, not a test: bench/onec-read)', () => {
    const big = generateDataset({ seed: 1, counterparties: 20_000, ordersPerCounterparty: 2 });
    expect(big.truth.counts.counterparties.live).toBeGreaterThan(19_000);
    expect(big.truth.counts.orders.rows).toBeGreaterThan(35_000);
  });
});
