import { Global, Module } from '@nestjs/common';
import { MetricsRestoreService } from './metrics-restore.service.js';
import { MetricsController } from './metrics.controller.js';
import { SverkaMetrics } from './sverka-metrics.js';

/**
 * The process's one `SverkaMetrics` (global: inject it by class anywhere), `GET /metrics` (public,
 * outside /api/v1), and the restore of the latest run's gauges from the database at start.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: SverkaMetrics, useFactory: () => new SverkaMetrics() }, MetricsRestoreService],
  exports: [SverkaMetrics, MetricsRestoreService],
})
export class MetricsModule {}
