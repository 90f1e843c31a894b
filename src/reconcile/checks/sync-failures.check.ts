import { SyncFindingsReader } from '../../sync/sync-findings.reader.js';
import { KIND_SEVERITY } from '../reconcile.constants.js';
import { stage } from '../reconcile-stage.repository.js';
import type { RunContext, SnapshotSource } from '../run-context.js';
import type { ReconcileCheck } from './reconcile-check.js';

/**
 * Records sync gave up on (dead letters) become `sync_failure` items of their entity; with a pilot scope,
 * not those of 1C records outside it.
 */
export class SyncFailuresCheck implements ReconcileCheck {
  readonly name = 'sync failures';
  readonly needs: readonly SnapshotSource[] = [];

  async compare(ctx: RunContext): Promise<void> {
    const dead = await new SyncFindingsReader(ctx.db).deadLetters([...ctx.entities]);
    const outside = new Set<string>();
    if (ctx.scope && dead.length)
      for (const r of (await ctx.db.query(
        `SELECT entity, ref FROM ${stage('onec_out_of_scope')} WHERE ref = ANY($1::text[])`,
        [dead.map((d) => d.onecRef)],
      )) as { entity: string; ref: string }[])
        outside.add(`${r.entity}|${r.ref}`);
    for (const d of dead) {
      if (outside.has(`${d.entity}|${d.onecRef}`)) continue;
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
