import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ReconcileEntity, SyncEntity } from '../common/vocabulary.js';
import type { CrmPort } from '../crm/crm.port.js';
import type { Mapping } from '../mapping/mapping.types.js';
import type { OneCPort } from '../onec/onec.port.js';
import type { RunScope } from '../scope/scope.types.js';
import type { DiscrepancyWriter } from './discrepancy-writer.js';
import type { CompareContext } from './reconcile-compare.sql.js';
import type { ReconcileMessages } from './reconcile.messages.js';
import type { StageRow, StageTable } from './reconcile-stage.repository.js';
import type { RunOptions } from './reconcile-run.repository.js';

/** Thrown inside a run when a check's source could not be read: the check is skipped, the run is partial. */
export class SkipCheck extends Error {}

/** The sides of a snapshot: one read of one entity from one system. */
export type SnapshotSource = `${'onec' | 'crm'}:${SyncEntity | 'debts'}`;

/** Everything a snapshot step or a check of one run works with. */
export interface RunContext {
  runId: string;
  db: DataSource;
  mapping: Mapping;
  options: RunOptions;
  entities: ReadonlySet<ReconcileEntity>;
  /**
   * The pilot scope (null: the whole base). The 1C snapshots stage only in-scope records (and note the refs
   * of the others in `onec_out_of_scope`), so every check downstream sees the pilot's part of the base only.
   */
  scope: RunScope | null;
  messages: ReconcileMessages;
  compare: CompareContext;
  onec?: OneCPort;
  crm?: CrmPort;
  writer: DiscrepancyWriter;
  log: Logger;
  /** Rows into a staging table (nothing more is written once the run is lost). */
  stageRows(table: StageTable, rows: readonly StageRow[]): Promise<void>;
  /** An ownership check with a database round trip (RunLostError when the run was taken over). */
  checkOwned(): void | Promise<void>;
  /** Throws RunLostError when a background check already found the run lost. */
  assertOwned(): void;
  /** Records a check that could not run, with why; the run ends `partial`. */
  skip(check: string, reason: unknown): void;
}

export function requireOneC(ctx: RunContext): OneCPort {
  if (!ctx.onec) throw new SkipCheck('1C is not configured (ONEC_ODATA_URL)');
  return ctx.onec;
}

export function requireCrm(ctx: RunContext): CrmPort {
  if (!ctx.crm) throw new SkipCheck('the CRM is not configured (CRM_KIND and its settings)');
  return ctx.crm;
}
