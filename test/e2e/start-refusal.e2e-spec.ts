import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../support/built.js';

/** `npm start` (node dist/src/main.js) with settings missing or wrong: one message naming each, exit ≠ 0. */
describe('npm start refuses bad settings', () => {
  let root: string;
  beforeAll(() => {
    root = ensureBuilt();
  }, 240_000);

  function start(env: Record<string, string>) {
    return spawnSync(process.execPath, [join(root, 'dist/src/main.js')], {
      cwd: '/tmp', // no .env there
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  }

  it('names every missing required setting and exits with code 2', () => {
    const r = start({});
    expect(r.status).toBe(2);
    for (const name of [
      'DATABASE_URL',
      'ONEC_ODATA_URL',
      'ONEC_USER',
      'ONEC_PASSWORD',
      'BITRIX24_WEBHOOK_URL',
    ]) {
      expect(r.stderr).toContain(`${name}: required`);
    }
  });

  it('names a single wrong setting without echoing secrets', () => {
    const r = start({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x',
      ONEC_ODATA_URL: 'https://1c.firm.ru/bp30/odata/standard.odata',
      ONEC_USER: 'u',
      ONEC_PASSWORD: 'VerySecret1C',
      BITRIX24_WEBHOOK_URL: 'https://firm.bitrix24.ru/rest/1/VerySecretHook/',
      SYNC_CRON: 'hourly',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('SYNC_CRON: must be a cron expression');
    expect(r.stderr).not.toMatch(/VerySecret/);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(1);
  });

  it('refuses .env.example copied unchanged, naming each placeholder, before any framework line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sverka-env-'));
    try {
      copyFileSync(join(root, '.env.example'), join(dir, '.env'));
      const r = spawnSync(process.execPath, [join(root, 'dist/src/main.js')], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(2);
      const named = r.stderr
        .split('\n')
        .filter((l) => l.startsWith('  - '))
        .map((l) => l.slice(4).split(':')[0]);
      expect(named).toEqual(['BITRIX24_WEBHOOK_URL', 'DATABASE_URL', 'ONEC_ODATA_URL', 'ONEC_PASSWORD']);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toContain('\u001b['); // no terminal colours
      expect(r.stderr).not.toContain('[Nest]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
