import type { DataSource, EntityManager } from 'typeorm';
import { SyncFindingsReader } from '../sync/sync-findings.reader.js';
import { STAGE_SCHEMA } from './reconcile.constants.js';

type Col = readonly [name: string, type: 'text' | 'boolean' | 'numeric'];

/**
 * The staging tables of a run: both sides' snapshots, normalised as sync writes them (multi-values as
 * the canonical sorted list text), so the comparers are plain SQL equality. UNLOGGED, recreated per
 * run without indexes; indexes are built after the load (`indexStage`).
 */
export const STAGE_TABLES = {
  onec_counterparty: [
    ['ref', 'text'],
    ['deletion_mark', 'boolean'],
    ['title', 'text'],
    ['full_name', 'text'],
    ['inn', 'text'],
    ['kpp', 'text'],
    ['ogrn', 'text'],
    ['phones', 'text'],
    ['emails', 'text'],
  ],
  onec_contact: [
    ['ref', 'text'],
    ['deletion_mark', 'boolean'],
    ['owner_ref', 'text'],
    ['last_name', 'text'],
    ['first_name', 'text'],
    ['middle_name', 'text'],
    ['phones', 'text'],
    ['emails', 'text'],
  ],
  onec_order: [
    ['ref', 'text'],
    ['deletion_mark', 'boolean'],
    ['live', 'boolean'],
    ['counterparty_ref', 'text'],
    ['title', 'text'],
    ['amount', 'numeric'],
    ['status', 'text'],
    ['expected_stage', 'text'],
    // False for an order older than deals.ordersSince (read by key only to tell "gone" from "out of the window").
    ['in_scope', 'boolean'],
  ],
  onec_debt: [
    ['counterparty_ref', 'text'],
    ['amount', 'numeric'],
  ],
  // `source` + `ext_key`: the record's external key (which 1C base, which Ref_Key); tax columns: the
  // company's tax details, `tax_owned` when they are those Sverka keeps for its 1C record.
  crm_company: [
    ['id', 'text'],
    ['source', 'text'],
    ['ext_key', 'text'],
    ['title', 'text'],
    ['phones', 'text'],
    ['emails', 'text'],
    ['inn', 'text'],
    ['kpp', 'text'],
    ['full_name', 'text'],
    ['ogrn', 'text'],
    ['tax_owned', 'boolean'],
  ],
  crm_contact: [
    ['id', 'text'],
    ['source', 'text'],
    ['ext_key', 'text'],
    ['company_id', 'text'],
    ['last_name', 'text'],
    ['first_name', 'text'],
    ['middle_name', 'text'],
    ['phones', 'text'],
    ['emails', 'text'],
  ],
  crm_deal: [
    ['id', 'text'],
    ['source', 'text'],
    ['ext_key', 'text'],
    ['company_id', 'text'],
    ['title', 'text'],
    ['amount', 'numeric'],
    ['currency', 'text'],
    ['stage', 'text'],
  ],
  crm_invoice: [
    ['id', 'text'],
    ['company_id', 'text'],
    ['stage', 'text'],
    ['amount', 'numeric'],
  ],
  crm_open_stage: [['stage', 'text']],
  link: [
    ['entity', 'text'],
    ['onec_ref', 'text'],
    ['crm_id', 'text'],
  ],
  // 1C records held by sync for a matching decision (review items): their missing_in_crm says why.
  held: [
    ['entity', 'text'],
    ['onec_ref', 'text'],
    ['candidates', 'numeric'],
  ],
  // 1C records outside the pilot scope (mapping `scope`): not staged above, only named here, so that a CRM
  // record of theirs is neither an orphan nor counted, judged or sampled. Empty without a scope.
  onec_out_of_scope: [
    ['entity', 'text'],
    ['ref', 'text'],
  ],
} as const satisfies Record<string, readonly Col[]>;

export type StageTable = keyof typeof STAGE_TABLES;
export type StageRow = readonly (string | boolean | null)[];

/** Indexes built after the load; each serves one join of the comparers. */
const STAGE_INDEXES: [StageTable, string][] = [
  ['onec_counterparty', 'ref'],
  ['onec_contact', 'ref'],
  ['onec_order', 'ref'],
  ['onec_debt', 'counterparty_ref'],
  ['crm_company', 'id'],
  ['crm_company', 'ext_key'],
  ['crm_contact', 'id'],
  ['crm_contact', 'ext_key'],
  ['crm_deal', 'id'],
  ['crm_deal', 'ext_key'],
  ['crm_invoice', 'company_id'],
  ['link', 'entity, onec_ref'],
  ['link', 'entity, crm_id'],
  ['onec_out_of_scope', 'entity, ref'],
];

/** SQL: the 1C ref in `col` of `entity` (an SQL expression or a quoted name) is not out of the pilot scope. */
export const notOutOfScope = (entity: string, col: string) =>
  `NOT EXISTS (SELECT 1 FROM ${stage('onec_out_of_scope')} oos WHERE oos.entity = ${entity} AND oos.ref = ${col})`;

export const stage = (t: StageTable) => `${STAGE_SCHEMA}.${t}`;

type Db = DataSource | EntityManager;

/** Drops and recreates every staging table (empty, UNLOGGED, no indexes). */
export async function resetStage(db: Db): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${STAGE_SCHEMA}`);
  for (const [t, cols] of Object.entries(STAGE_TABLES)) {
    await db.query(`DROP TABLE IF EXISTS ${stage(t as StageTable)}`);
    await db.query(
      `CREATE UNLOGGED TABLE ${stage(t as StageTable)} (${cols.map(([n, ty]) => `${n} ${ty}`).join(', ')})`,
    );
  }
}

/**
 * Appends rows (values in the table's column order) with one INSERT … SELECT FROM unnest(…) per call:
 * one array parameter per column, so a page of any size is one statement and one round trip.
 */
export async function insertStage(db: Db, table: StageTable, rows: readonly StageRow[]): Promise<void> {
  if (!rows.length) return;
  const cols = STAGE_TABLES[table];
  const params = cols.map((_, i) => rows.map((r) => r[i] ?? null));
  const list = cols.map(([n]) => n).join(', ');
  const unnest = cols.map(([, ty], i) => `$${i + 1}::${ty}[]`).join(', ');
  await db.query(`INSERT INTO ${stage(table)} (${list}) SELECT * FROM unnest(${unnest})`, params);
}

/** Builds the comparers' indexes and refreshes planner statistics (after the load, never before). */
export async function indexStage(db: Db): Promise<void> {
  for (const [t, cols] of STAGE_INDEXES) await db.query(`CREATE INDEX ON ${stage(t)} (${cols})`);
  for (const t of Object.keys(STAGE_TABLES)) await db.query(`ANALYZE ${stage(t as StageTable)}`);
}

/**
 * Fills the link snapshot from sync's links (the authority on which CRM record belongs to which 1C
 * record). Without sync's tables (sync not deployed) the links are the CRM records carrying our
 * external key. Returns where the links came from.
 */
export async function stageLinks(db: DataSource, source: string): Promise<'entity_link' | 'crm_origin'> {
  const findings = new SyncFindingsReader(db);
  if (await findings.copyLinksInto(stage('link'))) {
    await findings.copyHeldInto(stage('held'));
    return 'entity_link';
  }
  for (const [entity, table] of [
    ['counterparties', 'crm_company'],
    ['contacts', 'crm_contact'],
    ['deals', 'crm_deal'],
  ] as const) {
    await db.query(
      `INSERT INTO ${stage('link')} (entity, onec_ref, crm_id)
       SELECT DISTINCT ON (ext_key) $1, ext_key, id FROM ${stage(table)}
       WHERE source = $2 AND ext_key IS NOT NULL ORDER BY ext_key, id::bigint`,
      [entity, source],
    );
  }
  return 'crm_origin';
}
