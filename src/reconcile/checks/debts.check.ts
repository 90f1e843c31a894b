import { compareDebts } from '../reconcile-compare.sql.js';
import type { RunContext, SnapshotSource } from '../run-context.js';
import type { ReconcileCheck, RunState } from './reconcile-check.js';

/** Open debts per linked counterparty: 1C receivables against the CRM's open invoices. */
export class DebtsCheck implements ReconcileCheck {
  readonly name = 'debts';
  readonly needs: readonly SnapshotSource[] = ['onec:debts', 'crm:debts', 'crm:counterparties'];

  async compare(ctx: RunContext, state: RunState): Promise<void> {
    state.summary.debts = await compareDebts(ctx.db, ctx.compare);
  }
}
