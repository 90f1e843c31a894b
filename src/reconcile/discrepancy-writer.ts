import type { DataSource } from 'typeorm';
import type { DiscrepancyKind, ReconcileEntity } from '../common/vocabulary.js';
import type { CrmMalformedRecord } from '../crm/crm.types.js';
import { KIND_SEVERITY } from './reconcile.constants.js';
import type { ReconcileMessages } from './reconcile.messages.js';

/** A discrepancy built in JS (validation, malformed records, dead letters, sample). */
export interface PendingItem {
  kind: DiscrepancyKind;
  entity: ReconcileEntity;
  severity: string;
  onecRef: string | null;
  crmId: string | null;
  field: string | null;
  onecValue: string | null;
  crmValue: string | null;
  detail: string;
}

/**
 * The run's writer of JS-built items: buffers them and writes with multi-row inserts (the SQL checks
 * write their own with INSERT … SELECT). Writes nothing once the run is no longer this instance's.
 */
export class DiscrepancyWriter {
  private items: PendingItem[] = [];

  constructor(
    private readonly db: DataSource,
    private readonly runId: string,
    /** Throws when the run is no longer this instance's (nothing more is written). */
    private readonly assertOwned: () => void,
  ) {}

  push(item: PendingItem): void {
    this.items.push(item);
  }

  async flushIfFull(): Promise<void> {
    if (this.items.length >= 2000) await this.flush();
  }

  async flush(): Promise<void> {
    const items = this.items;
    this.items = [];
    if (!items.length) return;
    this.assertOwned();
    const col = <K extends keyof PendingItem>(k: K) => items.map((i) => i[k]);
    await this.db.query(
      `INSERT INTO discrepancy (run_id, kind, entity, severity, onec_ref, crm_id, field, onec_value, crm_value, detail)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
      [
        this.runId,
        col('kind'),
        col('entity'),
        col('severity'),
        col('onecRef'),
        col('crmId'),
        col('field'),
        col('onecValue'),
        col('crmValue'),
        col('detail'),
      ],
    );
  }
}

/** A 1C value that fails validation. */
export function invalidItem(
  entity: ReconcileEntity,
  ref: string,
  field: string,
  value: string,
  reason: string,
  m: ReconcileMessages,
): PendingItem {
  return {
    kind: 'invalid_value',
    entity,
    severity: KIND_SEVERITY.invalid_value,
    onecRef: ref,
    crmId: null,
    field,
    onecValue: value,
    crmValue: null,
    detail: m.invalidValue(field, value, reason),
  };
}

/** A 1C row the converter could not read. */
export function malformedOneCItem(
  entity: ReconcileEntity,
  ref: string | null,
  reason: string,
  m: ReconcileMessages,
): PendingItem {
  return {
    kind: 'invalid_value',
    entity,
    severity: 'warning',
    onecRef: ref,
    crmId: null,
    field: null,
    onecValue: null,
    crmValue: null,
    detail: m.malformed('onec', reason),
  };
}

/** A CRM row the adapter could not read. */
export function malformedCrmItem(
  entity: ReconcileEntity,
  bad: CrmMalformedRecord,
  m: ReconcileMessages,
): PendingItem {
  return {
    kind: 'invalid_value',
    entity,
    severity: 'warning',
    onecRef: null,
    crmId: bad.id,
    field: null,
    onecValue: null,
    crmValue: null,
    detail: m.malformed('crm', bad.reason),
  };
}
