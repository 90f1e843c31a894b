import type { OneCPort } from '../../src/onec/onec.port.js';
import type { Dataset } from '../../sim/dataset/dataset.types.js';
import type { DriftPlan, DriftResult, DriftTarget } from '../../sim/dataset/drift.js';
import {
  startSimulators,
  type RunningAmoCrmSimulators,
  type RunningSimulators,
} from '../../sim/start-simulators.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { checkAmoCrmAgainst1C, checkCrmAgainst1C, type SyncCheck } from './sync-verify.js';

export type DrivenCrm = 'bitrix24' | 'amocrm';

/** A check reconciliation could not run, as `summary.skippedChecks` lists it. */
export interface SkippedCheck {
  check: string;
  reason: string;
}

/**
 * What a whole-system test needs to know about one fake CRM, so that the same test runs on Bitrix24
 * and on amoCRM: the service's settings, the faults of a busy CRM and how to count them, the check of
 * the CRM against 1C, the CRM side of drift, card links, and what differs by design (amoCRM has no
 * invoices Sverka reads: no debts check, no invoice drift).
 */
export interface CrmDriver {
  kind: DrivenCrm;
  sims: RunningSimulators | RunningAmoCrmSimulators;
  /** The service's settings for the fake 1C and this CRM. */
  env: Record<string, string>;
  /** Secrets of the CRM that must never reach an e-mail, a log line or /metrics. */
  secrets: string[];
  /**
   * A busy CRM: the next `refusals` requests are refused (Bitrix24: 503 QUERY_LIMIT_EXCEEDED; amoCRM:
   * 429 with `retry_after`), and every 4th write that runs is saved but its answer lost. Clears the call log.
   */
  injectFaults(): void;
  clearFaults(): void;
  /** How many requests injectFaults() refuses. */
  refusals: number;
  /**
   * Since injectFaults(): the write requests that ran (the ones the fake counts for lost answers), those
   * whose answer was lost, and the requests refused as `refusals` says.
   */
  faultsSeen(): { writes: number; lost: number; refused: number };
  /** The CRM against 1C's latest state: every live 1C record once, fields as the adapter maps them. */
  check(onec: OneCPort): Promise<SyncCheck>;
  /**
   * Whether the CRM has invoices Sverka reads. Without them there is no open-debt comparison: the
   * reconciliation skips the debts check (no debts summary, no sverka_open_debt_rub) and drift cannot
   * change an invoice.
   */
  invoices: boolean;
  /** Invoices for the linked companies (1C ref → CRM company id); only when `invoices`. */
  addInvoices(dataset: Dataset, companyByRef: Map<string, string>): void;
  /** applyDrift's target on this CRM. */
  driftTarget(originatorId: string): DriftTarget;
  /** The drift ops this CRM cannot apply, as applyDrift reports them. */
  skippedDrift(plan: DriftPlan): DriftResult['skipped'];
  /** The link a report gives to a company's card. */
  companyCardUrl(id: string): string;
  /** The checks a reconciliation of this CRM always skips (empty: it runs all and can succeed). */
  skippedChecks: SkippedCheck[];
  close(): Promise<void>;
}

/** Starts the fake 1C and the fake CRM of `kind` on `dataset`, with limits fit for tests. */
export async function startCrmDriver(kind: DrivenCrm, dataset: Dataset): Promise<CrmDriver> {
  return kind === 'amocrm' ? amoCrmDriver(dataset) : bitrix24Driver(dataset);
}

async function bitrix24Driver(dataset: Dataset): Promise<CrmDriver> {
  const sims = await startSimulators({ dataset, bitrixLimits: { rps: 50, burst: 50 } });
  const sim = sims.bitrix24.sim;
  const refusals = 2;
  return {
    kind: 'bitrix24',
    sims,
    env: { ...simulatorEnv(sims), BITRIX24_RPS: '50', BITRIX24_BURST: '50' },
    secrets: [sim.secret],
    refusals,
    injectFaults: () => {
      sim.clearCalls();
      sim.setFaults({ forceQueryLimit: refusals, lostResponseEvery: 4 });
    },
    clearFaults: () => sim.setFaults({}),
    faultsSeen: () => {
      const writes = sim.calls.filter(
        (c) => c.method === 'batch' && c.commands?.some((x) => /\.(add|update)$/.test(x.method)),
      );
      return {
        writes: writes.length,
        lost: writes.filter((c) => c.lost).length,
        refused: sim.calls.filter((c) => c.status === 503 && c.error === 'QUERY_LIMIT_EXCEEDED').length,
      };
    },
    check: (onec) => checkCrmAgainst1C(onec, sim),
    invoices: true,
    addInvoices: (ds, companyByRef) =>
      sim.state.addInvoices(ds.invoicesFor(companyByRef) as unknown as Record<string, unknown>[]),
    driftTarget: (originatorId) => sim.driftTarget(originatorId),
    skippedDrift: () => [],
    companyCardUrl: (id) => `${new URL(sims.bitrix24.webhookUrl).origin}/crm/company/details/${id}/`,
    skippedChecks: [],
    close: () => sims.close(),
  };
}

async function amoCrmDriver(dataset: Dataset): Promise<CrmDriver> {
  // amoCRM's own limit (7 a second, blocking after repeated abuse): the service must keep under it.
  const sims = await startSimulators({ dataset, crm: 'amocrm' });
  const sim = sims.amocrm.sim;
  const refusals = 3;
  return {
    kind: 'amocrm',
    sims,
    env: simulatorEnv(sims),
    secrets: [sims.amocrm.token],
    refusals,
    injectFaults: () => {
      sim.clearCalls();
      sim.setFaults({ forceRateLimit: refusals, lostResponseEvery: 4 });
    },
    clearFaults: () => sim.setFaults({}),
    faultsSeen: () => {
      // The fake counts a write (POST/PATCH) for lostResponseEvery once it ran: saved (answered, lost,
      // or 504 for a slow batch), not refused before (429) or by validation (400).
      const writes = sim.calls.filter(
        (c) => c.items !== undefined && (c.lost || c.status < 300 || c.status === 504),
      );
      return {
        writes: writes.length,
        lost: writes.filter((c) => c.lost).length,
        refused: sim.summary().rateLimited,
      };
    },
    check: (onec) => checkAmoCrmAgainst1C(onec, sim),
    invoices: false,
    addInvoices: () => {
      throw new Error('amoCRM has no invoices Sverka reads');
    },
    driftTarget: (originatorId) => sim.driftTarget({ originatorId }),
    skippedDrift: (plan) =>
      plan.ops.flatMap((op) =>
        op.op === 'changeInvoiceSum' ? [{ op: op.op, key: op.xmlId, reason: 'the CRM has no invoices' }] : [],
      ),
    companyCardUrl: (id) => `${sims.amocrm.baseUrl}/companies/detail/${id}`,
    skippedChecks: [{ check: 'debts: CRM snapshot', reason: 'amoCRM has no invoices Sverka reads' }],
    close: () => sims.close(),
  };
}
