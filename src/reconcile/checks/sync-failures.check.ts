import { SyncFindingsReader } from '../../sync/sync-findings.reader.js';
import { KIND_SEVERITY } from '../reconcile.constants.js';
import type { RunContext, SnapshotSource } from '../run-context.js';
import type { ReconcileCheck } from './reconcile-check.js';

/** Records sync gave up on (dead letters) become `sync_failure` items of their entity. */
export class SyncFailuresCheck implements ReconcileCheck {
  readonly name = 'sync failures';
  readonly needs: readonly SnapshotSource[] = [];

  async compare(ctx: RunContext): Promise<void> {
    for (const d of await new SyncFindingsReader(ctx.db).deadLetters([...ctx.entities])) {
      ctx.writer.push({
        kind: 'sync_failure',
        entity: d.entity,
        severity: KIND_SEVERITY.sync_failure,
        onecRef: d.onecRef,
        crmId: null,
        field: null,
        onecValue: null,
        crmValue: null,
        detail: ctx.messages.syncFailure(d.lastError),
      });
    }
  }
}
