import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The CRM-neutral port (docs/architecture.md): links no longer keep a Bitrix24 requisite id (the adapter
 * finds a company's tax details itself), and the canonical field names are the domain's — contacts'
 * `firstName`/`middleName`, deals' `amount`/`currency`/`stage` — in what sync remembered it pushed and in
 * open conflicts.
 */
export class CrmNeutralSyncData1764450000000 implements MigrationInterface {
  name = 'CrmNeutralSyncData1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE entity_link DROP COLUMN crm_requisite_id`);
    for (const [entity, from, to] of RENAMES) {
      await q.query(
        `UPDATE entity_link SET pushed_values = (pushed_values - $2::text) || jsonb_build_object($3::text, pushed_values -> $2::text)
          WHERE entity = $1 AND pushed_values ? $2::text`,
        [entity, from, to],
      );
      await q.query(`UPDATE sync_conflict SET field = $3 WHERE entity = $1 AND field = $2`, [
        entity,
        from,
        to,
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [entity, from, to] of RENAMES) {
      await q.query(
        `UPDATE entity_link SET pushed_values = (pushed_values - $3::text) || jsonb_build_object($2::text, pushed_values -> $3::text)
          WHERE entity = $1 AND pushed_values ? $3::text`,
        [entity, from, to],
      );
      await q.query(`UPDATE sync_conflict SET field = $2 WHERE entity = $1 AND field = $3`, [
        entity,
        from,
        to,
      ]);
    }
    await q.query(`ALTER TABLE entity_link ADD COLUMN crm_requisite_id text`);
  }
}

/** [entity, 0.1 field name, domain field name] */
const RENAMES: [string, string, string][] = [
  ['contacts', 'name', 'firstName'],
  ['contacts', 'secondName', 'middleName'],
  ['deals', 'opportunity', 'amount'],
  ['deals', 'currencyId', 'currency'],
  ['deals', 'stageId', 'stage'],
];
