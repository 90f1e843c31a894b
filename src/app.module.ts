import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { AuditModule } from './audit/audit.module.js';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { KeyThrottlerGuard, RATE_LIMIT_PER_MINUTE } from './auth/key-throttler.guard.js';
import { ProblemFilter } from './common/http/problem.filter.js';
import { ConfigModule } from './config/config.module.js';
import { CrmModule } from './crm/crm.module.js';
import type { Settings } from './config/settings.js';
import { DatabaseModule } from './database/database.module.js';
import { FeedModule } from './feed/feed.module.js';
import { HealthModule } from './health/health.module.js';
import type { Mapping } from './mapping/mapping.types.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QueueModule } from './queue/queue.module.js';
import { ReconcileModule } from './reconcile/reconcile.module.js';
import { ReportModule } from './report/report.module.js';
import { RunsModule } from './runs/runs.module.js';
import { SyncModule } from './sync/sync.module.js';
import { ConflictTodosModule } from './todos/conflict-todos.module.js';

/**
 * Feature modules, in the order they are wired. Each brings its controllers, services and schedulers.
 */
const FEATURE_MODULES: Type[] = [
  MetricsModule,
  CrmModule,
  HealthModule,
  ReportModule,
  ReconcileModule,
  SyncModule,
  ConflictTodosModule,
  FeedModule,
];

export interface AppModuleOptions {
  settings: Settings;
  mapping: Mapping;
  /** The database to use (DATABASE_URL, or the embedded server of the demo/tests). */
  databaseUrl: string;
  /** Requests per minute per API key before 429 (default 1200). */
  rateLimitPerMinute?: number;
}

@Module({})
export class AppModule {
  static forRoot(opts: AppModuleOptions): DynamicModule {
    const { settings } = opts;
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings, opts.mapping),
        DatabaseModule.forRoot(opts.databaseUrl, { migrate: settings.DB_MIGRATE }),
        QueueModule.forRoot(opts.databaseUrl),
        ScheduleModule.forRoot(),
        RunsModule,
        AuthModule,
        AuditModule,
        ...FEATURE_MODULES,
      ],
      providers: [
        { provide: RATE_LIMIT_PER_MINUTE, useValue: opts.rateLimitPerMinute ?? settings.API_RATE_LIMIT },
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Order matters: the key guard identifies the caller, then the throttler counts per key.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: KeyThrottlerGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
    };
  }
}
