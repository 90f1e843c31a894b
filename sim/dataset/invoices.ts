import { toKopecks } from '../../src/common/money.js';
import type { CrmInvoiceItem, Dataset, LinkedCompanies } from './dataset.types.js';

/**
 * Smart invoices (entityTypeId 31) to add to the Bitrix24 simulator once sync has linked 1C
 * counterparties to CRM companies. For every linked counterparty in the plan: open invoices
 * (`DT31_2:N`/`DT31_2:S`) whose sum equals `truth.debts.crmOpenByRef[ref]` — the 1C debt except for the
 * planted `truth.debts.mismatches` — plus paid (`DT31_2:P`) and failed (`DT31_2:D`) ones. Unlinked
 * counterparties are skipped. Deterministic: same data set and links → same invoices, in plan order.
 */
export function invoicesFor(
  dataset: Pick<Dataset, 'crm'>,
  linkedCompanyIdByRef: LinkedCompanies,
): CrmInvoiceItem[] {
  const lookup = (ref: string): string | number | undefined =>
    linkedCompanyIdByRef instanceof Map
      ? linkedCompanyIdByRef.get(ref)
      : (linkedCompanyIdByRef as Record<string, string | number>)[ref];
  const out: CrmInvoiceItem[] = [];
  for (const [ref, invoices] of Object.entries(dataset.crm.invoicePlan)) {
    const id = lookup(ref);
    if (id === undefined || id === null || id === '') continue;
    for (const inv of invoices) {
      out.push({
        entityTypeId: 31,
        title: `Счёт ${inv.xmlId.replace('sim-inv-', '№ ')} от ${inv.date.split('-').reverse().join('.')}`,
        xmlId: inv.xmlId,
        accountNumber: inv.xmlId.replace('sim-inv-', 'СЧ-'),
        companyId: Number(id),
        categoryId: 2,
        stageId: inv.stageId,
        // JSON number as Bitrix24 returns it; Number of a two-digit decimal string is exact enough to round-trip.
        opportunity: Number(inv.amount),
        currencyId: 'RUB',
        isManualOpportunity: 'Y',
        parentId2: null,
        begindate: `${inv.date}T00:00:00+03:00`,
        closedate: `${inv.date}T00:00:00+03:00`,
      });
    }
  }
  return out;
}

/** Open invoice stages of the seeded invoice pipeline (docs/protocols/bitrix24.md#stages). */
export const OPEN_INVOICE_STAGES = ['DT31_2:N', 'DT31_2:S'] as const;

/** Σ open invoice amounts per company id, in kopecks (for tests). */
export function openSumByCompany(invoices: CrmInvoiceItem[]): Map<number, bigint> {
  const m = new Map<number, bigint>();
  for (const i of invoices) {
    if (!(OPEN_INVOICE_STAGES as readonly string[]).includes(i.stageId)) continue;
    m.set(i.companyId, (m.get(i.companyId) ?? 0n) + toKopecks(i.opportunity));
  }
  return m;
}
