import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source.js';
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
          ...dataSourceOptions(url, { poolSize: 20 }),
          migrationsRun: opts.migrate,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      exports: [TypeOrmModule],
    };
  }
}
