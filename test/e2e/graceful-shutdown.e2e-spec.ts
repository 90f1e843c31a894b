import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/database/free-port.js';
import { ensureBuilt } from '../support/built.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** `npm start` as a real process: migrations on an empty database, serving, then SIGTERM → clean exit. */
describe('the production service process', () => {
  let root: string;
  let db: TestDatabase;
  beforeAll(async () => {
    root = ensureBuilt();
    db = await createTestDatabase('proc');
  }, 240_000);
  afterAll(async () => {
    await db?.drop();
  });

  it('starts from settings, logs JSON from the first line, serves, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
      cwd: '/tmp',
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: 'http://127.0.0.1:9/bp30/odata/standard.odata',
        ONEC_USER: 'u',
        ONEC_PASSWORD: 'p',
        BITRIX24_WEBHOOK_URL: 'http://127.0.0.1:9/rest/1/secret/',
        SCHEDULER_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      while (!stdout.includes('listening on')) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`did not start:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);
      const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as {
        info: { database: { status: string } };
      };
      expect(ready.info.database.status).toBe('up');

      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(35_000);

      const lines = stdout.split('\n').filter((l) => l.trim() !== '');
      const notJson = lines.filter((l) => {
        try {
          return typeof JSON.parse(l) !== 'object';
        } catch {
          return true;
        }
      });
      expect(notJson).toEqual([]);
      const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg?: string });
      expect(parsed.map((l) => l.msg)).toEqual(expect.arrayContaining(['SIGTERM received: stopping']));
      // Stopping is not a failure: no error line (pino level 50 and above), nothing on stderr.
      expect(parsed.filter((l) => l.level >= 50)).toEqual([]);
      expect(stderr).toBe('');
      expect(stdout + stderr).not.toMatch(/secret\//);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
