import pg from 'pg';
import { createTestDatabase } from '../support/test-database.js';

describe('test PostgreSQL', () => {
  it('gives each test file its own real database', async () => {
    const db = await createTestDatabase();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const r = await c.query('select current_database() as name, version() as v');
    await c.end();
    await db.drop();
    expect(r.rows[0].name).toBe(db.name);
    expect(r.rows[0].v).toMatch(/PostgreSQL/);
  });
});
