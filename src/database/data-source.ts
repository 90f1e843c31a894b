import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

/** The one set of TypeORM options (entities and migrations listed explicitly), for the app, CLIs and tests. */
export function dataSourceOptions(
  url: string,
  opts: { poolSize?: number; applicationName?: string } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: opts.poolSize ?? 10, application_name: opts.applicationName ?? 'sverka' },
  };
}

/** A DataSource for a connection string (not yet initialised). */
export function createDataSource(
  url: string,
  opts: { poolSize?: number; applicationName?: string } = {},
): DataSource {
  return new DataSource(dataSourceOptions(url, opts));
}
