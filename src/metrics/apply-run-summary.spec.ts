import type { Gauge } from 'prom-client';
import type { RunSummary } from '../reconcile/reconcile.types.js';
import { applyRunSummaryToMetrics, applySyncStateToMetrics, rubles } from './apply-run-summary.js';
import { SverkaMetrics } from './sverka-metrics.js';

/** label values joined by `|` → value, for the series of a gauge. */
async function series(g: Gauge): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await g.get()).values) out[Object.values(v.labels).join('|')] = v.value;
  return out;
}

const finishedAt = new Date('2026-11-28T03:00:00Z');
const summary: RunSummary = {
  counts: {
    counterparties: { onec: 1200, crm: 1195, linked: 1190 },
    debts: { onec: 40, crm: 38, linked: 38 },
  },
  discrepancies: { missing_in_crm: 5, field_mismatch: 12, debt_mismatch: 7 },
  discrepanciesByEntity: {
    counterparties: { missing_in_crm: 5, field_mismatch: 12 },
    debts: { debt_mismatch: 7 },
  },
  debts: { onecTotal: '1520000.50', crmTotal: '1498000.00', mismatched: 7 },
  duplicates: { onec: 3, cross: 9 },
};

describe('applyRunSummaryToMetrics', () => {
  it('sets discrepancies for every entity × kind (0 when absent), counts, debt in rubles, duplicates and the success time', async () => {
    const m = new SverkaMetrics({ defaultMetrics: false });
    applyRunSummaryToMetrics(m, { status: 'succeeded', finishedAt, summary });

    const d = await series(m.reconcileDiscrepancies);
    expect(Object.keys(d)).toHaveLength(4 * 8);
    expect(d['counterparties|field_mismatch']).toBe(12);
    expect(d['counterparties|missing_in_crm']).toBe(5);
    expect(d['debts|debt_mismatch']).toBe(7);
    expect(d['contacts|field_mismatch']).toBe(0);
    expect(await series(m.reconcileRecords)).toEqual({
      'counterparties|onec': 1200,
      'counterparties|crm': 1195,
      'counterparties|linked': 1190,
      'debts|onec': 40,
      'debts|crm': 38,
      'debts|linked': 38,
    });
    expect(await series(m.openDebt)).toEqual({ onec: 1520000.5, crm: 1498000 });
    expect(await series(m.duplicateClusters)).toEqual({ onec: 3, crm: 0, cross: 9 });
    expect(await series(m.reconcileLastSuccess)).toEqual({ '': finishedAt.getTime() / 1000 });
  });

  it('zeroes a kind that the next run no longer finds', async () => {
    const m = new SverkaMetrics({ defaultMetrics: false });
    applyRunSummaryToMetrics(m, { status: 'succeeded', finishedAt, summary });
    applyRunSummaryToMetrics(m, {
      status: 'partial',
      finishedAt: '2026-11-29T03:00:00Z',
      summary: {
        counts: {},
        discrepancies: { field_mismatch: 2 },
        discrepanciesByEntity: { counterparties: { field_mismatch: 2 } },
      },
    });
    const d = await series(m.reconcileDiscrepancies);
    expect(d['counterparties|field_mismatch']).toBe(2);
    expect(d['counterparties|missing_in_crm']).toBe(0);
    expect(d['debts|debt_mismatch']).toBe(0);
    // A partial run still counts as the last success; sections it did not compute are kept.
    expect((await series(m.reconcileLastSuccess))['']).toBe(Date.parse('2026-11-29T03:00:00Z') / 1000);
    expect(await series(m.duplicateClusters)).toEqual({ onec: 3, crm: 0, cross: 9 });
    expect((await series(m.openDebt)).onec).toBe(1520000.5);
    expect((await series(m.reconcileRecords))['counterparties|onec']).toBe(1200);
  });

  it('a failed run without a summary leaves the results and the last success as they were', async () => {
    const m = new SverkaMetrics({ defaultMetrics: false });
    applyRunSummaryToMetrics(m, { status: 'succeeded', finishedAt, summary });
    applyRunSummaryToMetrics(m, { status: 'failed', finishedAt: new Date(), summary: null });
    expect((await series(m.reconcileLastSuccess))['']).toBe(finishedAt.getTime() / 1000);
    expect((await series(m.reconcileDiscrepancies))['counterparties|field_mismatch']).toBe(12);
  });

  it('converts money strings exactly to rubles', () => {
    expect(rubles('1520000.50')).toBe(1520000.5);
    expect(rubles('-20000.01')).toBe(-20000.01);
    expect(rubles('0.00')).toBe(0);
  });
});

describe('applySyncStateToMetrics', () => {
  it('sets the last success of the entities with a time and dead letters of every sync entity', async () => {
    const m = new SverkaMetrics({ defaultMetrics: false });
    m.syncLastSuccess.set({ entity: 'deals' }, 100);
    applySyncStateToMetrics(m, {
      lastSuccess: { counterparties: finishedAt, contacts: null },
      deadLetters: { contacts: 4 },
    });
    expect(await series(m.syncLastSuccess)).toEqual({
      deals: 100,
      counterparties: finishedAt.getTime() / 1000,
    });
    expect(await series(m.syncDeadLetters)).toEqual({ counterparties: 0, contacts: 4, deals: 0 });
  });
});
