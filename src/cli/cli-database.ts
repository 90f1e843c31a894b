import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { loadSettings } from '../config/settings.js';
import { createDataSource } from '../database/data-source.js';

/** Where the demo records how to reach its embedded database while it runs. */
export const DEMO_STATE_FILE = resolve('.data', 'demo.json');

/**
 * The database a command-line tool works on: DATABASE_URL, or — when unset — the running demo's
 * embedded database. Migrations are applied first, so the tools work on a fresh database too.
 */
export async function openCliDatabase(): Promise<DataSource> {
  const settings = await loadSettings({ mode: 'embedded' });
  let url = settings.DATABASE_URL;
  if (!url && existsSync(DEMO_STATE_FILE))
    url = (JSON.parse(readFileSync(DEMO_STATE_FILE, 'utf8')) as { databaseUrl?: string }).databaseUrl;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set (and no running demo was found): set it to the service's PostgreSQL.",
    );
  }
  const ds = createDataSource(url, { poolSize: 2, applicationName: 'sverka-cli' });
  await ds.initialize();
  if (settings.DB_MIGRATE) await ds.runMigrations({ transaction: 'each' });
  return ds;
}
