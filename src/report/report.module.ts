import { Global, Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SETTINGS, type Settings } from '../config/settings.js';
import { MAILER_PORT } from './mailer.port.js';
import { describeSmtpUrl, NodemailerMailerAdapter } from './nodemailer-mailer.adapter.js';
import { ReportDeliveryService } from './report-delivery.service.js';
import { OVERDUE_TODOS_READER, ReportRenderer } from './report-renderer.js';
import { ConflictTodoReader } from '../todos/conflict-todo.reader.js';
import { ReportScheduler } from './report.scheduler.js';
import { REPORT_SOURCE } from './report-source.js';
import { ReconcileResultsReader } from '../reconcile/reconcile-results.reader.js';
import { RECONCILE_REPORTS, type ReconcileReports } from '../reconcile/reconcile-reports.port.js';

/**
 * The daily report: `ReportDeliveryService.deliver(runId)` e-mails a finished run's report once,
 * `ReportRenderer.renderForRun(runId, 'html' | 'csv' | 'text')` serves it over HTTP. Needs the global
 * SETTINGS and TypeORM DataSource; uses the global SverkaMetrics when present. Reads a run through
 * REPORT_SOURCE — the reconcile module's reader — and gives the reconcile module RECONCILE_REPORTS
 * (global), so the reconcile module imports nothing of this one.
 */
@Global()
@Module({
  providers: [
    {
      provide: MAILER_PORT,
      inject: [SETTINGS],
      useFactory: (s: Settings) => {
        if (s.SMTP_URL && s.SMTP_ALLOW_INSECURE && s.SMTP_URL.startsWith('smtp://'))
          new Logger('ReportModule').warn(
            `SMTP_ALLOW_INSECURE=true: the report may travel unencrypted to ${describeSmtpUrl(s.SMTP_URL)}`,
          );
        return new NodemailerMailerAdapter({ smtpUrl: s.SMTP_URL, allowInsecure: s.SMTP_ALLOW_INSECURE });
      },
    },
    {
      provide: REPORT_SOURCE,
      inject: [DataSource],
      useFactory: (db: DataSource) => new ReconcileResultsReader(db),
    },
    {
      provide: RECONCILE_REPORTS,
      inject: [ReportDeliveryService, ReportRenderer],
      useFactory: (delivery: ReportDeliveryService, renderer: ReportRenderer): ReconcileReports => ({
        reportRun: async (runId) => {
          await delivery.deliver(runId);
        },
        render: (runId, kind) => renderer.renderForRun(runId, kind),
      }),
    },
    // The line of overdue conflict to-dos: the to-do module's reader (plain SQL; null without its table).
    {
      provide: OVERDUE_TODOS_READER,
      inject: [DataSource],
      useFactory: (db: DataSource) => new ConflictTodoReader(db),
    },
    ReportRenderer,
    ReportDeliveryService,
    ReportScheduler,
  ],
  exports: [ReportRenderer, ReportDeliveryService, RECONCILE_REPORTS],
})
export class ReportModule {}
