import type { DataSource } from 'typeorm';
import { reasonText } from '../../dedupe/reason-text.js';
import type { DedupeService } from '../../dedupe/dedupe.service.js';
import type { DedupeRecord } from '../../dedupe/dedupe.types.js';
import type { Settings } from '../../config/settings.js';
import { stage } from '../reconcile-stage.repository.js';
import { SkipCheck, type RunContext, type SnapshotSource } from '../run-context.js';
import type { ReconcileCheck, RunState } from './reconcile-check.js';

/** Duplicate clusters from the dedupe module over the staged counterparties and companies. */
export class DuplicatesCheck implements ReconcileCheck {
  readonly name = 'duplicates';
  readonly needs: readonly SnapshotSource[] = ['onec:counterparties', 'crm:counterparties'];
  readonly optional = true;

  constructor(
    private readonly dedupe: DedupeService | undefined,
    private readonly locale: Settings['REPORT_LOCALE'],
  ) {}

  async compare(ctx: RunContext, state: RunState): Promise<void> {
    if (!this.dedupe) throw new SkipCheck('the dedupe module is not loaded');
    const split = (s: string | null) => (s ? s.split(', ') : []);
    type O = {
      k: string;
      title: string;
      full_name: string;
      inn: string;
      kpp: string;
      ogrn: string;
      phones: string;
      emails: string;
    };
    type C = O & { linked: string | null };
    const onecSrc = pages<O>(
      ctx.db,
      `SELECT ref AS k, title, full_name, inn, kpp, ogrn, phones, emails FROM ${stage('onec_counterparty')}
       WHERE NOT deletion_mark AND ref > $1 ORDER BY ref LIMIT 5000`,
      (r) => ({
        system: 'onec',
        id: r.k,
        name: r.title,
        fullName: r.full_name,
        inn: r.inn || null,
        kpp: r.kpp || null,
        ogrn: r.ogrn || null,
        phones: split(r.phones),
        emails: split(r.emails),
      }),
    );
    const crmSrc = pages<C>(
      ctx.db,
      `SELECT c.id AS k, c.title, c.full_name, c.inn, c.kpp, c.ogrn, c.phones, c.emails, l.onec_ref AS linked
       FROM ${stage('crm_company')} c
       LEFT JOIN ${stage('link')} l ON l.entity = 'counterparties' AND l.crm_id = c.id
       WHERE c.id > $1 ORDER BY c.id LIMIT 5000`,
      (r) => ({
        system: 'crm',
        id: r.k,
        name: r.title,
        fullName: r.full_name ?? '',
        inn: r.inn || null,
        kpp: r.kpp || null,
        ogrn: r.ogrn || null,
        phones: split(r.phones),
        emails: split(r.emails),
        linkedTo: r.linked,
      }),
    );
    const result = await this.dedupe.findClusters({ onec: onecSrc, crm: crmSrc });
    const memberUrl = (m: { system: 'onec' | 'crm'; id: string }) =>
      m.system === 'crm'
        ? (ctx.crm?.recordUrl('companies', m.id) ?? null)
        : (ctx.onec?.recordUrl('counterparties', m.id) ?? null);
    const counts: Partial<Record<'onec' | 'crm' | 'cross', number>> = { onec: 0, crm: 0, cross: 0 };
    for (let i = 0; i < result.clusters.length; i += 1000) {
      ctx.assertOwned();
      const chunk = result.clusters.slice(i, i + 1000);
      await ctx.db.query(
        `INSERT INTO duplicate_cluster (run_id, scope, score, members, reasons)
         SELECT $1, s, sc, m, r FROM unnest($2::text[], $3::numeric[], $4::jsonb[], $5::jsonb[]) AS t(s, sc, m, r)`,
        [
          ctx.runId,
          chunk.map((c) => c.scope),
          chunk.map((c) => c.score),
          chunk.map((c) => JSON.stringify(c.members.map((m) => ({ ...m, url: memberUrl(m) })))),
          // Reasons in REPORT_LOCALE, like the items' detail texts (raw values: the report masks them).
          chunk.map((c) => JSON.stringify(c.reasons.map((r) => reasonText(r, this.locale)))),
        ],
      );
    }
    for (const c of result.clusters) counts[c.scope] = (counts[c.scope] ?? 0) + 1;
    state.summary.duplicates = counts;
  }
}

/** The rows of a keyset-paged query as dedupe records, 5 000 a page. */
async function* pages<T>(
  db: DataSource,
  sql: string,
  map: (r: T) => DedupeRecord,
): AsyncIterable<DedupeRecord> {
  let after = '';
  for (;;) {
    const rows = (await db.query(sql, [after])) as (T & { k: string })[];
    for (const r of rows) yield map(r);
    if (rows.length < 5000) return;
    after = rows[rows.length - 1].k;
  }
}
