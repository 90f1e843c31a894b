import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createApp } from '../../src/bootstrap.js';
import { ApiKeyService } from '../../src/auth/api-key.service.js';
import { resolveMapping } from '../../src/config/resolve-mapping.js';
import { parseSettings } from '../../src/config/settings.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: INestApplication;
  /** Base URL of the listening server, e.g. http://127.0.0.1:43123 */
  url: string;
  db: TestDatabase;
  dataSource: DataSource;
  keys: { viewer: string; operator: string; admin: string };
  close(): Promise<void>;
}

/**
 * The real application on real HTTP (127.0.0.1, a free port) against a fresh real PostgreSQL database
 * with migrations run, schedules off unless `env` turns them on, and one API key per role.
 */
export async function startTestApp(
  opts: { env?: Record<string, string>; mapping?: Mapping; db?: TestDatabase } = {},
): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase('app'));
  const settings = parseSettings(
    {
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SCHEDULER_ENABLED: 'false',
      DATABASE_URL: db.url,
      ...opts.env,
    },
    { mode: 'embedded' },
  );
  const mapping = opts.mapping ?? (await resolveMapping(settings));
  const app = await createApp({ settings, mapping, databaseUrl: db.url });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const keysSvc = app.get(ApiKeyService);
  const keys = {
    viewer: (await keysSvc.create('test-viewer', 'viewer')).key,
    operator: (await keysSvc.create('test-operator', 'operator')).key,
    admin: (await keysSvc.create('test-admin', 'admin')).key,
  };
  const dataSource = app.get<DataSource>(getDataSourceToken());
  return {
    app,
    url,
    db,
    dataSource,
    keys,
    async close() {
      await app.close();
      if (!opts.db) await db.drop();
    },
  };
}
