import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations on a real PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase('mig');
    ds = createDataSource(db.url);
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('are listed explicitly, in timestamp order, with unique names', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    const stamps = names.map((n) => Number(/(\d{13})$/.exec(n)?.[1]));
    expect(stamps.every(Number.isFinite)).toBe(true);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
  });

  it('go all the way up on an empty database, then all the way down, then up again', async () => {
    expect(await tables(ds)).toEqual([]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(await tables(ds)).toEqual(expect.arrayContaining(['api_key', 'audit_event']));
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual(['typeorm_migrations']);
    expect(await ds.runMigrations({ transaction: 'each' })).toHaveLength(MIGRATIONS.length);
  });

  it('keep the audit log append-only in PostgreSQL itself', async () => {
    await ds.query(`INSERT INTO audit_event (action, outcome) VALUES ('test.action', 'ok')`);
    await expect(ds.query(`UPDATE audit_event SET outcome = 'forged'`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(ds.query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(ds.query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM audit_event WHERE outcome = 'ok'`);
    expect(n).toBe(1);
  });

  it('store API keys by hash, one active key per name', async () => {
    await ds.query(
      `INSERT INTO api_key (name, role, key_hash, key_prefix) VALUES ('a', 'viewer', repeat('a', 64), 'svk_aaaaaa')`,
    );
    await expect(
      ds.query(
        `INSERT INTO api_key (name, role, key_hash, key_prefix) VALUES ('a', 'viewer', repeat('b', 64), 'svk_bbbbbb')`,
      ),
    ).rejects.toThrow(/api_key_active_name/);
    await expect(
      ds.query(
        `INSERT INTO api_key (name, role, key_hash, key_prefix) VALUES ('c', 'root', repeat('c', 64), 'svk_cccccc')`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
