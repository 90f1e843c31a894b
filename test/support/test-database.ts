import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates an empty database for one test file on the server started by global-setup
 * (or the one named by TEST_DATABASE_URL / DATABASE_URL; its user needs CREATEDB).
 */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const admin = process.env.SVERKA_TEST_ADMIN_URL;
  if (!admin) throw new Error('SVERKA_TEST_ADMIN_URL is not set: run the tests through `npm test`.');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
