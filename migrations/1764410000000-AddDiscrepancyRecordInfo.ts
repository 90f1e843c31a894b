import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a person needs to act on a discrepancy without looking anything up: the record's `name` (1C
 * name, else the CRM title), `inn` (counterparties and their debts), links to the record's card in the
 * CRM (`crm_url`) and in 1C (`onec_url`), and how each value reads when it is a code (`onec_label`,
 * `crm_label`: deal stage names, company titles). Filled by reconciliation from its snapshot; null for
 * items of runs made before this migration.
 */
export class AddDiscrepancyRecordInfo1764410000000 implements MigrationInterface {
  name = 'AddDiscrepancyRecordInfo1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE discrepancy
        ADD COLUMN name       text,
        ADD COLUMN inn        text,
        ADD COLUMN crm_url    text,
        ADD COLUMN onec_url   text,
        ADD COLUMN onec_label text,
        ADD COLUMN crm_label  text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE discrepancy
        DROP COLUMN crm_label,
        DROP COLUMN onec_label,
        DROP COLUMN onec_url,
        DROP COLUMN crm_url,
        DROP COLUMN inn,
        DROP COLUMN name`);
  }
}
