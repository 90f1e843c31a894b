import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { ENTITIES } from './entities.js';

/** TypeORM on PostgreSQL (DATABASE_URL, or the embedded server the demo/tests started). */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string, opts: { migrate: boolean }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrationsTableName: 'typeorm_migrations',
          migrationsTransactionMode: 'each',
          migrationsRun: opts.migrate,
          synchronize: false,
          logging: false,
          extra: { max: 20, application_name: 'sverka' },
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      exports: [TypeOrmModule],
    };
  }
}
