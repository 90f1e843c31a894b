import { SYNC_ENTITIES, type SyncEntity } from '../../common/vocabulary.js';
import { KIND_SEVERITY } from '../reconcile.constants.js';
import { diffSampled } from '../reconcile-sample.js';
import { notOutOfScope, stage } from '../reconcile-stage.repository.js';
import { requireCrm, requireOneC, type RunContext, type SnapshotSource } from '../run-context.js';
import { CRM_OF, ONEC_OF } from '../snapshots.js';
import type { ReconcileCheck, RunState } from './reconcile-check.js';

/**
 * The control sample: `sampleSize` random linked records (pairs present in both snapshots) re-read one by
 * one from both systems and compared with the bulk path's row mappers. A difference the bulk comparison
 * did not report is added as a field_mismatch (it would be a bulk-path bug or a change during the run).
 * Links of 1C records outside the pilot scope are never picked.
 */
export class SampleCheck implements ReconcileCheck {
  readonly name = 'control sample';
  readonly needs: readonly SnapshotSource[] = [];
  readonly optional = true;

  async compare(ctx: RunContext, state: RunState): Promise<void> {
    const onec = requireOneC(ctx);
    const crm = requireCrm(ctx);
    const size = ctx.options.sampleSize;
    const usable = SYNC_ENTITIES.filter(
      (e) => ctx.entities.has(e) && state.ready.has(`onec:${e}`) && state.ready.has(`crm:${e}`),
    );
    if (!usable.length) {
      state.summary.sample = { size: 0, mismatched: 0 };
      return;
    }
    const picks = (await ctx.db.query(
      `SELECT l.entity, l.onec_ref, l.crm_id,
              (SELECT lc.crm_id FROM ${stage('link')} lc JOIN ${stage('crm_company')} cc ON cc.id = lc.crm_id
               WHERE lc.entity = 'counterparties' AND lc.onec_ref = coalesce(oc.owner_ref, oo.counterparty_ref)) AS owner_company
       FROM ${stage('link')} l
       LEFT JOIN ${stage('onec_contact')} oc ON l.entity = 'contacts' AND oc.ref = l.onec_ref
       LEFT JOIN ${stage('onec_order')} oo ON l.entity = 'deals' AND oo.ref = l.onec_ref
       WHERE l.entity = ANY($1::text[]) AND ${notOutOfScope('l.entity', 'l.onec_ref')}
       ORDER BY random() LIMIT $2`,
      [usable, size],
    )) as { entity: SyncEntity; onec_ref: string; crm_id: string; owner_company: string | null }[];
    await ctx.writer.flush();
    const known = new Set(
      (
        (await ctx.db.query(
          `SELECT entity, onec_ref, field FROM discrepancy WHERE run_id = $1 AND field IS NOT NULL`,
          [ctx.runId],
        )) as { entity: string; onec_ref: string; field: string }[]
      ).map((r) => `${r.entity}|${r.onec_ref}|${r.field}`),
    );
    let mismatched = 0;
    for (const p of picks) {
      const o = await onec.getOne(ONEC_OF[p.entity].entity, p.onec_ref);
      const c = await crm.getOne(CRM_OF[p.entity].entity, p.crm_id);
      const orec = o?.records[0];
      if (!orec || !c) {
        mismatched++;
        continue;
      }
      const diffs = diffSampled(p.entity, orec, c as Parameters<typeof diffSampled>[2], ctx.mapping, {
        companyIdOfOwner: p.owner_company,
        amountDigits: crm.capabilities.amountDigits ?? 2,
      });
      if (!diffs.length) continue;
      mismatched++;
      for (const d of diffs) {
        const key = `${p.entity}|${p.onec_ref}|${d.field}`;
        if (known.has(key)) continue;
        known.add(key);
        ctx.writer.push({
          kind: d.field === 'stage' ? 'status_mismatch' : 'field_mismatch',
          entity: p.entity,
          severity: KIND_SEVERITY.field_mismatch,
          onecRef: p.onec_ref,
          crmId: p.crm_id,
          field: d.field,
          onecValue: d.onecValue,
          crmValue: d.crmValue,
          detail: ctx.messages.sampleMismatch(d.field),
        });
      }
    }
    state.summary.sample = { size: picks.length, mismatched };
  }
}
