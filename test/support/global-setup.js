// Plain ESM JavaScript: Jest loads global setup outside its module mapper. The embedded server is the
// service's own (src/database/embedded-postgres.ts): Jest's transform is active while global setup runs,
// so `require` compiles the TypeScript; only the sources' `./x.js` import names need mapping to `./x.ts`.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** Loads a TypeScript module of the project, resolving its relative `.js` imports to `.ts` files. */
function requireSource(path) {
  const Module = require('node:module');
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (err) {
      if (/^\.\.?\/.*\.js$/.test(request))
        return resolveFilename.call(this, `${request.slice(0, -3)}.ts`, ...rest);
      throw err;
    }
  };
  try {
    return require(path);
  } finally {
    Module._resolveFilename = resolveFilename;
  }
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
  const { startEmbeddedPostgres, EmbeddedPostgresError } = requireSource(
    '../../src/database/embedded-postgres.ts',
  );
  const parent = mkdtempSync(join(tmpdir(), 'sverka-test-pg-'));
  chmodSync(parent, 0o755); // as root the server runs as `postgres`, which must reach the data
  globalThis.__SVERKA_PG_PARENT__ = parent;
  try {
    const pg = await startEmbeddedPostgres({
      dir: join(parent, 'pg'),
      persistent: false,
      database: 'postgres',
    });
    globalThis.__SVERKA_PG__ = pg;
    process.env.SVERKA_TEST_ADMIN_URL = pg.adminUrl;
  } catch (err) {
    if (err instanceof EmbeddedPostgresError) {
      process.stderr.write(`\nThe tests' embedded PostgreSQL did not start: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
