import type { DataSource, EntityManager } from 'typeorm';
import type { ReconcileEntity, SyncEntity } from '../common/vocabulary.js';
import type { EntityMapping, Mapping } from '../mapping/mapping.types.js';
import { enumPresentation } from '../onec/enum-presentation.util.js';
import {
  COUNT_CRITICAL_SHARE,
  CRITICAL_FIELDS,
  DEBT_CRITICAL_RUB,
  KIND_SEVERITY,
} from './reconcile.constants.js';
import type { ReconcileMessages } from './reconcile.messages.js';
import { notOutOfScope, stage } from './reconcile-stage.repository.js';
import type { EntityCounts } from './reconcile.types.js';

type Db = DataSource | EntityManager;

export interface CompareContext {
  runId: string;
  mapping: Mapping;
  messages: ReconcileMessages;
  /** Deal stage id → its name in the CRM (empty when the stages could not be read: codes are shown then). */
  dealStages?: Record<string, string>;
  /** Decimals the CRM keeps in an amount (CrmCapabilities.amountDigits; 2 when absent). */
  amountDigits?: 0 | 2;
  /**
   * A pilot scope is in force: the 1C stage holds the in-scope records only and `onec_out_of_scope` names
   * the others. Totals that would otherwise take the whole CRM (open invoices) take the pilot's part.
   */
  scoped?: boolean;
}

/**
 * The SQL comparers: each reads the staging tables and writes `discrepancy` rows with one
 * INSERT … SELECT, so no record set is ever held in JavaScript. Values compared are the staged,
 * already-normalised ones.
 */

const INSERT = `INSERT INTO discrepancy (run_id, kind, entity, severity, onec_ref, crm_id, field, onec_value, crm_value, detail)`;

interface EntitySql {
  onec: string;
  crm: string;
  /** Live 1C rows (those that sync creates in the CRM). */
  live: string;
}

/** A live 1C counterparty exists for this ref (sync creates contacts and deals only under one). */
const liveOwner = (col: string) =>
  `EXISTS (SELECT 1 FROM ${stage('onec_counterparty')} p WHERE p.ref = o.${col} AND NOT p.deletion_mark)`;

/**
 * "Live" = what sync puts in the CRM, by sync's own rules (src/sync/plan-sync.ts): counterparties not
 * deletion-marked; contact persons not deletion-marked whose owner is a live counterparty; orders
 * posted, not deletion-marked, in the mapping's date range, of a live counterparty, with a status the
 * map knows. What sync deliberately leaves out is not reported missing.
 */
const SQL_OF: Record<SyncEntity, EntitySql> = {
  counterparties: {
    onec: stage('onec_counterparty'),
    crm: stage('crm_company'),
    live: 'NOT o.deletion_mark',
  },
  contacts: {
    onec: stage('onec_contact'),
    crm: stage('crm_contact'),
    live: `NOT o.deletion_mark AND ${liveOwner('owner_ref')}`,
  },
  deals: {
    onec: stage('onec_order'),
    crm: stage('crm_deal'),
    live: `o.live AND o.expected_stage IS NOT NULL AND ${liveOwner('counterparty_ref')}`,
  },
};

/** Fields reconciliation checks: owned by 1C, or by both with 1C winning (sync overwrites them). */
export function checkedFields(m: EntityMapping): string[] {
  return Object.entries(m.fields)
    .filter(
      ([, r]) => r.owner === 'onec' || (r.owner === 'both' && (r.strategy ?? m.strategy) === 'onec_wins'),
    )
    .map(([f]) => f);
}

/**
 * `missing_in_crm`: a live 1C record with no link, or linked to a CRM record that no longer exists; one that
 * sync holds for a matching decision says so (README.md#going-live).
 */
export async function compareMissing(db: Db, ctx: CompareContext, entity: SyncEntity): Promise<void> {
  const s = SQL_OF[entity];
  await db.query(
    `${INSERT}
     SELECT $1, 'missing_in_crm', $2, $3, o.ref, l.crm_id, NULL, NULL, NULL,
            CASE WHEN h.onec_ref IS NOT NULL THEN format($6, $2, o.ref, h.candidates)
                 WHEN l.crm_id IS NULL THEN format($4, $2, o.ref) ELSE format($5, $2, o.ref, l.crm_id) END
     FROM ${s.onec} o
     LEFT JOIN ${stage('link')} l ON l.entity = $2 AND l.onec_ref = o.ref
     LEFT JOIN ${s.crm} c ON c.id = l.crm_id
     LEFT JOIN ${stage('held')} h ON h.entity = $2 AND h.onec_ref = o.ref AND l.crm_id IS NULL
     WHERE ${s.live} AND c.id IS NULL`,
    [
      ctx.runId,
      entity,
      KIND_SEVERITY.missing_in_crm,
      ctx.messages.missingNoLink,
      ctx.messages.missingGone,
      ctx.messages.missingHeld,
    ],
  );
}

/** Of a CRM record whose 1C ref (link or our originId) is `x.ref` and 1C row `o`: the 1C record is gone or deletion-marked. */
const orphanSql = (entity: SyncEntity) =>
  entity === 'deals'
    ? 'o.ref IS NULL OR (o.in_scope AND NOT o.live AND NOT o.deletion_mark)'
    : 'o.ref IS NULL OR o.deletion_mark';

/**
 * `orphan_in_crm`: a CRM record linked to (or carrying our external key of) a 1C record that is gone or
 * deletion-marked (one of a 1C record outside the pilot scope is not judged). Deals of deletion-marked orders are not orphans: the status map sends them to
 * the "lost" stage, which the status check verifies; a deal of an order no longer posted is one; a deal
 * of an order older than `deals.ordersSince` is out of scope, not an orphan.
 */
export async function compareOrphans(db: Db, ctx: CompareContext, entity: SyncEntity): Promise<void> {
  if (ctx.mapping.deletions === 'ignore') return;
  const s = SQL_OF[entity];
  const orphan = orphanSql(entity);
  await db.query(
    `${INSERT}
     SELECT $1, 'orphan_in_crm', $2, $3, x.ref, x.id, NULL, NULL, NULL,
            format(CASE WHEN o.ref IS NULL THEN $4 ELSE $5 END, $2, x.id, x.ref)
     FROM (
       SELECT c.id, coalesce(l.onec_ref, CASE WHEN c.source = $6 THEN c.ext_key END) AS ref
       FROM ${s.crm} c LEFT JOIN ${stage('link')} l ON l.entity = $2 AND l.crm_id = c.id
     ) x
     LEFT JOIN ${s.onec} o ON o.ref = x.ref
     WHERE x.ref IS NOT NULL AND (${orphan}) AND ${notOutOfScope('$2', 'x.ref')}`,
    [
      ctx.runId,
      entity,
      KIND_SEVERITY.orphan_in_crm,
      ctx.messages.orphanGone,
      ctx.messages.orphanMarked,
      ctx.mapping.source,
    ],
  );
}

/**
 * The CRM company id to compare with the owner's linked company (`lcc.id`: that company as the CRM
 * snapshot has it). When the owner counterparty is `missing_in_crm` itself — no link at all, or its
 * linked company is gone from the CRM — there is nothing to compare with, so not judged: a CRM that
 * drops the links of a deleted company (amoCRM) and one that keeps the dangling id (Bitrix24) report
 * the same single finding, the missing company.
 */
const unlessOwnerMissing = (col: string) =>
  `CASE WHEN o.${col} IS NOT NULL AND lcc.id IS NULL THEN NULL ELSE c.company_id END`;

/** Pairs of a live 1C record and its existing linked CRM record, with every comparable column. */
function pairsSql(
  entity: SyncEntity,
  mapping: Mapping,
  amountDigits: 0 | 2,
): { from: string; values: [string, string, string][] } {
  const s = SQL_OF[entity];
  const base = `${s.onec} o JOIN ${stage('link')} l ON l.entity = '${entity}' AND l.onec_ref = o.ref JOIN ${s.crm} c ON c.id = l.crm_id`;
  const companyOf = (col: string) =>
    `LEFT JOIN ${stage('link')} lc ON lc.entity = 'counterparties' AND lc.onec_ref = o.${col}` +
    ` LEFT JOIN ${SQL_OF.counterparties.crm} lcc ON lcc.id = lc.crm_id`;
  // Tax details count only when they are the ones Sverka keeps for this 1C record.
  const tax = (col: string) => `CASE WHEN c.tax_owned THEN c.${col} END`;
  if (entity === 'counterparties') {
    return {
      from: base,
      values: [
        ['title', 'o.title', 'c.title'],
        ['fullName', 'o.full_name', tax('full_name')],
        ['inn', 'o.inn', tax('inn')],
        ['kpp', 'o.kpp', tax('kpp')],
        ['ogrn', 'o.ogrn', tax('ogrn')],
        ['phones', 'o.phones', 'c.phones'],
        ['emails', 'o.emails', 'c.emails'],
      ],
    };
  }
  if (entity === 'contacts') {
    return {
      from: `${base} ${companyOf('owner_ref')}`,
      values: [
        ['lastName', 'o.last_name', 'c.last_name'],
        ['firstName', 'o.first_name', 'c.first_name'],
        ['middleName', 'o.middle_name', 'c.middle_name'],
        ['companyId', 'lcc.id', unlessOwnerMissing('owner_ref')],
        ['phones', 'o.phones', 'c.phones'],
        ['emails', 'o.emails', 'c.emails'],
      ],
    };
  }
  const currency = `'${mapping.deals.currency.replace(/'/g, "''")}'`;
  return {
    from: `${base} ${companyOf('counterparty_ref')}`,
    values: [
      ['title', 'o.title', 'c.title'],
      [
        'amount',
        'o.amount::numeric(18,2)::text',
        // A CRM keeping whole units holds the 1C amount rounded half away from zero (PostgreSQL's
        // round): that counts as the 1C amount; any other value is shown as it is.
        amountDigits === 0
          ? 'CASE WHEN round(o.amount, 0) = c.amount THEN o.amount::numeric(18,2)::text ELSE c.amount::numeric(18,2)::text END'
          : 'c.amount::numeric(18,2)::text',
      ],
      ['currency', currency, 'c.currency'],
      ['companyId', 'lcc.id', unlessOwnerMissing('counterparty_ref')],
    ],
  };
}

/** Multi-value fields: a 1C value missing in the CRM is a difference; values people added in the CRM are not. */
const MULTI_VALUE = ['phones', 'emails'];

/** `field_mismatch` on every checked field (see checkedFields); `stage` is the status check's. */
export async function compareFields(db: Db, ctx: CompareContext, entity: SyncEntity): Promise<void> {
  const fields = new Set(checkedFields(ctx.mapping[entity]));
  const { from, values } = pairsSql(entity, ctx.mapping, ctx.amountDigits ?? 2);
  const used = values.filter(([f]) => fields.has(f));
  if (!used.length) return;
  const rows = used.map(([f, ov, cv]) => `('${f}', ${ov}, ${cv})`).join(', ');
  await db.query(
    `${INSERT}
     SELECT $1, 'field_mismatch', $2, CASE WHEN v.field = ANY($5::text[]) THEN 'critical' ELSE $3 END,
            o.ref, c.id, v.field, v.ov, v.cv,
            format($4, coalesce($6::jsonb ->> v.field, v.field), coalesce(v.ov, ''), coalesce(v.cv, ''))
     FROM ${from}
     CROSS JOIN LATERAL (VALUES ${rows}) v(field, ov, cv)
     WHERE ${SQL_OF[entity].live} AND CASE WHEN v.field = ANY($7::text[])
       THEN NOT (string_to_array(coalesce(v.ov, ''), ', ') <@ string_to_array(coalesce(v.cv, ''), ', '))
       ELSE coalesce(v.ov, '') <> coalesce(v.cv, '') END`,
    [
      ctx.runId,
      entity,
      KIND_SEVERITY.field_mismatch,
      ctx.messages.fieldMismatch,
      CRITICAL_FIELDS,
      JSON.stringify(Object.fromEntries(used.map(([f]) => [f, ctx.messages.fieldLabel(f)]))),
      MULTI_VALUE,
    ],
  );
}

/**
 * `status_mismatch`: a posted order's deal whose stage is not the one the status map gives (the
 * deletion stage for a deletion-marked order). Orders with an unmapped status are not judged.
 */
export async function compareStatuses(
  db: Db,
  ctx: CompareContext,
): Promise<{ onec: Record<string, number>; crm: Record<string, number> }> {
  const statuses = (
    (await db.query(`SELECT DISTINCT status FROM ${stage('onec_order')} WHERE status IS NOT NULL`)) as {
      status: string;
    }[]
  ).map((r) => r.status);
  await db.query(
    `${INSERT}
     SELECT $1, 'status_mismatch', 'deals', $2, o.ref, c.id, 'stage', o.expected_stage, c.stage,
            format($3,
                   CASE WHEN o.deletion_mark THEN $6 ELSE coalesce($4::jsonb ->> o.status, o.status, '') END,
                   coalesce($5::jsonb ->> o.expected_stage, o.expected_stage),
                   coalesce($5::jsonb ->> c.stage, c.stage, ''))
     FROM ${stage('onec_order')} o
     JOIN ${stage('link')} l ON l.entity = 'deals' AND l.onec_ref = o.ref
     JOIN ${stage('crm_deal')} c ON c.id = l.crm_id
     WHERE (o.live OR o.deletion_mark) AND o.expected_stage IS NOT NULL AND c.stage IS DISTINCT FROM o.expected_stage`,
    [
      ctx.runId,
      KIND_SEVERITY.status_mismatch,
      ctx.messages.statusMismatch,
      JSON.stringify(Object.fromEntries(statuses.map((st) => [st, enumPresentation(st)]))),
      JSON.stringify(ctx.dealStages ?? {}),
      ctx.messages.deletionMarked,
    ],
  );
  const onec = (await db.query(
    // Posted live orders of live counterparties, unmapped statuses included (they show up here, not as items).
    `SELECT status AS key, count(*)::int AS n FROM ${stage('onec_order')} o
     WHERE o.live AND ${liveOwner('counterparty_ref')} GROUP BY 1 ORDER BY 1`,
  )) as { key: string; n: number }[];
  const crm = (await db.query(
    `SELECT c.stage AS key, count(*)::int AS n FROM ${stage('crm_deal')} c
     LEFT JOIN ${stage('link')} l ON l.entity = 'deals' AND l.crm_id = c.id
     WHERE (c.source = $1 OR l.crm_id IS NOT NULL)
       AND ${notOutOfScope("'deals'", `coalesce(l.onec_ref, CASE WHEN c.source = $1 THEN c.ext_key END)`)}
     GROUP BY 1 ORDER BY 1`,
    [ctx.mapping.source],
  )) as { key: string; n: number }[];
  const toObj = (rows: { key: string; n: number }[]) =>
    Object.fromEntries(rows.map((r) => [r.key ?? '', r.n]));
  return { onec: toObj(onec), crm: toObj(crm) };
}

/**
 * `debt_mismatch`: per linked counterparty, the 1C receivable against the sum of the linked company's
 * open invoices, beyond the tolerance; exact (numeric). Totals: every 1C receivable, every open invoice.
 * Unlinked debtors are not judged here (they are `missing_in_crm` already).
 *
 * With a pilot scope both sides are the pilot's: the 1C stage holds the receivables of in-scope
 * counterparties only, links of out-of-scope counterparties are not judged, and the CRM total takes the
 * open invoices of companies linked to in-scope counterparties only (not the whole portal's).
 */
export async function compareDebts(
  db: Db,
  ctx: CompareContext,
): Promise<{ onecTotal: string; crmTotal: string; mismatched: number }> {
  const tol = ctx.mapping.debts.tolerance;
  const [res] = (await db.query(
    `WITH o AS (SELECT counterparty_ref AS ref, sum(amount) AS amt FROM ${stage('onec_debt')} GROUP BY 1),
          c AS (SELECT company_id, sum(amount) AS amt FROM ${stage('crm_invoice')}
                WHERE stage IN (SELECT stage FROM ${stage('crm_open_stage')}) GROUP BY 1),
          d AS (SELECT l.onec_ref, l.crm_id, coalesce(o.amt, 0)::numeric(18,2) AS onec, coalesce(c.amt, 0)::numeric(18,2) AS crm
                FROM ${stage('link')} l LEFT JOIN o ON o.ref = l.onec_ref LEFT JOIN c ON c.company_id = l.crm_id
                WHERE l.entity = 'counterparties' AND ${notOutOfScope("'counterparties'", 'l.onec_ref')}),
          ins AS (
            ${INSERT}
            SELECT $1, 'debt_mismatch', 'debts', CASE WHEN abs(d.crm - d.onec) >= $5::numeric THEN 'critical' ELSE $2 END,
                   d.onec_ref, d.crm_id, 'debt', d.onec::text, d.crm::text,
                   format($3, d.onec::text, d.crm::text, (d.crm - d.onec)::numeric(18,2)::text, $4::numeric(18,2)::text)
            FROM d WHERE abs(d.crm - d.onec) > $4::numeric
            RETURNING 1)
     SELECT (SELECT count(*)::int FROM ins) AS mismatched,
            (SELECT coalesce(sum(amount), 0)::numeric(18,2)::text FROM ${stage('onec_debt')}) AS onec_total,
            (SELECT coalesce(sum(i.amount), 0)::numeric(18,2)::text FROM ${stage('crm_invoice')} i
              WHERE i.stage IN (SELECT stage FROM ${stage('crm_open_stage')})
                AND (NOT $6::boolean OR EXISTS (
                  SELECT 1 FROM ${stage('link')} l JOIN ${stage('onec_counterparty')} p ON p.ref = l.onec_ref
                  WHERE l.entity = 'counterparties' AND l.crm_id = i.company_id))) AS crm_total`,
    [ctx.runId, KIND_SEVERITY.debt_mismatch, ctx.messages.debtMismatch, tol, DEBT_CRITICAL_RUB, !!ctx.scoped],
  )) as { mismatched: number; onec_total: string; crm_total: string }[];
  return { onecTotal: res.onec_total, crmTotal: res.crm_total, mismatched: res.mismatched };
}

/**
 * Counts per entity from the snapshot: live 1C, CRM all, CRM with our external key, linked pairs; and
 * what the CRM records that are not linked to a live 1C record are (`crmExtras`): with no 1C ref and no
 * external key (made by people), with another base's or integration's key, or orphans (their 1C record
 * is gone or deletion-marked). The rest of them are ours but out of the check (e.g. the deal of a
 * deletion-marked order) or a second card of an already linked 1C record.
 */
export async function countEntity(db: Db, ctx: CompareContext, entity: SyncEntity): Promise<EntityCounts> {
  const s = SQL_OF[entity];
  // Under a pilot scope (README.md#going-live) the 1C stage holds the in-scope records only, so `onec` is the
  // live in-scope records and `linked` the links of those. `crm` stays the whole CRM, as information only:
  // the managers' own records and everything outside the pilot are in it. What count_mismatch compares
  // with is `crmWithOrigin`, and from it the records of 1C records outside the scope are left out (Sverka
  // may have created them before the scope was narrowed): so the CRM side is the pilot's too, and a
  // pilot never floods count_mismatch. Orphans likewise count in-scope (or vanished) 1C refs only.
  const [r] = (await db.query(
    `SELECT (SELECT count(*)::int FROM ${s.onec} o WHERE ${s.live}) AS onec,
            (SELECT count(*)::int FROM ${s.crm}) AS crm,
            (SELECT count(*)::int FROM ${s.crm} c WHERE source = $1
               AND ${notOutOfScope('$2', `coalesce((SELECT l.onec_ref FROM ${stage('link')} l WHERE l.entity = $2 AND l.crm_id = c.id LIMIT 1), c.ext_key)`)}) AS crm_with_origin,
            (SELECT count(*)::int FROM ${s.onec} o JOIN ${stage('link')} l ON l.entity = $2 AND l.onec_ref = o.ref
               JOIN ${s.crm} c ON c.id = l.crm_id WHERE ${s.live}) AS linked`,
    [ctx.mapping.source, entity],
  )) as { onec: number; crm: number; crm_with_origin: number; linked: number }[];
  const [x] = (await db.query(
    `WITH x AS (
       SELECT c.id, c.source,
              coalesce(l.onec_ref, CASE WHEN c.source = $1 THEN c.ext_key END) AS ref
       FROM ${s.crm} c LEFT JOIN ${stage('link')} l ON l.entity = $2 AND l.crm_id = c.id)
     SELECT count(*) FILTER (WHERE x.ref IS NULL AND coalesce(x.source, '') = '')::int AS unowned,
            count(*) FILTER (WHERE x.ref IS NULL AND coalesce(x.source, '') NOT IN ('', $1))::int AS other,
            count(*) FILTER (WHERE x.ref IS NOT NULL AND (${orphanSql(entity)}) AND ${notOutOfScope('$2', 'x.ref')})::int AS orphans
     FROM x LEFT JOIN ${s.onec} o ON o.ref = x.ref`,
    [ctx.mapping.source, entity],
  )) as { unowned: number; other: number; orphans: number }[];
  return {
    onec: r.onec,
    crm: r.crm,
    linked: r.linked,
    crmWithOrigin: r.crm_with_origin,
    crmExtras: { unowned: x.unowned, otherIntegrations: x.other, orphans: x.orphans },
  };
}

/** `count_mismatch` when the live 1C count, the CRM count with our origin and the link count disagree. */
export async function compareCounts(
  db: Db,
  ctx: CompareContext,
  entity: ReconcileEntity,
  c: EntityCounts,
): Promise<void> {
  const crm = c.crmWithOrigin ?? c.crm;
  if (c.onec === c.linked && crm === c.linked) return;
  const spread = Math.max(Math.abs(c.onec - c.linked), Math.abs(crm - c.linked));
  const severity =
    spread > Math.max(1, c.onec * COUNT_CRITICAL_SHARE) ? 'critical' : KIND_SEVERITY.count_mismatch;
  await db.query(`${INSERT} VALUES ($1, 'count_mismatch', $2, $3, NULL, NULL, 'count', $4, $5, $6)`, [
    ctx.runId,
    entity,
    severity,
    String(c.onec),
    String(crm),
    ctx.messages.countMismatch(entity, c.onec, crm, c.linked),
  ]);
}
