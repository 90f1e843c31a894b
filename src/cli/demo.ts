import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { ApiKeyService } from '../auth/api-key.service.js';
import { createApp, stopOnSignals } from '../bootstrap.js';
import { resolveMapping } from '../config/resolve-mapping.js';
import { loadSettings, SettingsError } from '../config/settings.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../database/embedded-postgres.js';
import { DEMO_STATE_FILE } from './cli-database.js';

/**
 * `npm run demo`: everything on one machine with only Node — an embedded PostgreSQL in ./.data/pg,
 * the service, a fresh demo API key — then it keeps serving until Ctrl-C.
 */
async function main(): Promise<void> {
  const dataDir = resolve('.data');
  mkdirSync(dataDir, { recursive: true });
  const env = { LOG_LEVEL: 'warn', REPORT_OUTBOX_DIR: resolve('out', 'mail'), ...process.env };
  let settings;
  try {
    settings = await loadSettings({ mode: 'embedded' }, env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const t0 = Date.now();
  say('Starting the embedded PostgreSQL (data in ./.data/pg)…');
  const pg: EmbeddedDatabase = await startEmbeddedPostgres({ dir: resolve(dataDir, 'pg'), persistent: true });
  const databaseUrl = settings.DATABASE_URL ?? pg.url;

  let app: INestApplication | undefined;
  const stopDatabase = async () => {
    rmSync(DEMO_STATE_FILE, { force: true });
    await pg.stop();
  };
  const fail = async (err: unknown) => {
    process.stderr.write(`demo failed: ${(err as Error)?.stack ?? String(err)}\n`);
    await app?.close().catch(() => undefined);
    await stopDatabase();
    process.exit(1);
  };

  try {
    const mapping = await resolveMapping(settings);
    app = await createApp({ settings, mapping, databaseUrl });
    stopOnSignals(app, async () => {
      say('Stopped the service; stopping the embedded PostgreSQL…');
      await stopDatabase();
    });
    await app.listen(settings.PORT);
    writeFileSync(DEMO_STATE_FILE, JSON.stringify({ databaseUrl, pid: process.pid }));

    const keys = app.get(ApiKeyService);
    await keys.revoke('demo').catch(() => undefined);
    const { key } = await keys.create('demo', 'admin');

    const base = settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`;
    say(`
Sverka demo is running (started in ${((Date.now() - t0) / 1000).toFixed(1)} s).

  API        ${base}/api/v1
  API docs   ${base}/docs
  Metrics    ${base}/metrics
  Health     ${base}/health/ready
  Demo key   ${key}   (role admin; a new one is made at every start)

Try:
  curl -H "Authorization: Bearer ${key}" ${base}/api/v1/api-keys
  curl ${base}/health/ready

Ctrl-C stops everything; the data stays in ./.data for the next run.
`);
  } catch (err) {
    await fail(err);
  }
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

void main();
