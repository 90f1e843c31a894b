import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * A database for one benchmark: BENCH_DATABASE_URL when set (its public schema is the bench's to
 * drop), else a database `name` on an embedded PostgreSQL in a temp folder. `close()` stops what it started.
 */
export async function benchDatabase(name: string): Promise<{ url: string; close(): Promise<void> }> {
  const given = process.env.BENCH_DATABASE_URL;
  if (given) return { url: given, close: async () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'sverka-bench-pg-'));
  const emb = await startEmbeddedPostgres({ dir, persistent: false });
  const admin = new pg.Client({ connectionString: emb.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).catch(() => undefined);
  await admin.end();
  const u = new URL(emb.adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    close: async () => {
      await emb.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
