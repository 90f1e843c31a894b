import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskEmail } from '../common/contact-values.js';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { withAdvisoryLock } from '../database/advisory-lock.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { MAILER_PORT, type MailerPort, type MailMessage } from './mailer.port.js';
import { maskText } from './mask-personal-data.js';
import { ReportRenderer } from './report-renderer.js';

/** Optional provider: retry delays and the sleep function (tests make them instant). */
export const REPORT_DELIVERY_OPTIONS = Symbol('REPORT_DELIVERY_OPTIONS');

export interface ReportDeliveryOptions {
  /** Delay before each retry; attempts = delays + 1. Default: 3 attempts, 10 s then 60 s apart. */
  retryDelaysMs?: number[];
  sleep?: (ms: number) => Promise<void>;
}

/** Backoff between SMTP attempts: a relay that is restarting is usually back within a minute. */
export const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000];

export type DeliveryOutcome =
  | 'sent'
  | 'failed'
  | 'outbox_only'
  | 'already_sent'
  | 'busy'
  | 'not_found'
  | 'not_finished'
  | 'not_configured';

export interface DeliveryResult {
  runId: string;
  outcome: DeliveryOutcome;
  attempts: number;
  messageId?: string;
  outboxFile?: string;
  /** Secret-free, masked. */
  error?: string;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `i***@domain.ru` for logs and rows: never an address beyond its first letter and domain. */
export function maskRecipients(to: string[]): string[] {
  return to.map((a) => maskEmail(a.trim()));
}

/**
 * Sends a run's report to REPORT_TO (and writes the .eml to REPORT_OUTBOX_DIR), once per run.
 *
 * Exactly one report per run across instances: the sender holds a PostgreSQL advisory lock named
 * after the run while it works (another instance gets `busy` and does nothing), and re-checks inside
 * the lock that no successful delivery row exists (`already_sent`); a partial unique index on
 * `report_delivery (run_id)` for successful rows backs this up. Every SMTP attempt leaves a row.
 * A failed delivery never touches the reconciliation run.
 */
@Injectable()
export class ReportDeliveryService {
  private readonly logger = new Logger(ReportDeliveryService.name);
  private readonly delays: number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly renderer: ReportRenderer,
    @Inject(MAILER_PORT) private readonly mailer: MailerPort,
    private readonly db: DataSource,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() private readonly metrics?: SverkaMetrics,
    @Optional() @Inject(REPORT_DELIVERY_OPTIONS) opts?: ReportDeliveryOptions,
  ) {
    this.delays = opts?.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.sleep = opts?.sleep ?? sleepMs;
  }

  /** Recipients from REPORT_TO. */
  private recipients(): string[] {
    return (this.settings.REPORT_TO ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  }

  /** Error text for rows and logs: no secrets, no SMTP password, no unmasked address. */
  private safeError(err: unknown): string {
    let text = describeError(err);
    const smtp = this.settings.SMTP_URL;
    if (smtp) {
      try {
        const u = new URL(smtp);
        for (const s of [u.password, decodeURIComponent(u.password)]) if (s) text = text.split(s).join('***');
      } catch {
        /* an invalid URL never got this far */
      }
    }
    return maskText(text).slice(0, 2000);
  }

  async deliver(runId: string, now = new Date()): Promise<DeliveryResult> {
    const to = this.recipients();
    const outboxDir = this.settings.REPORT_OUTBOX_DIR;
    if (!to.length || !this.settings.REPORT_FROM || (!this.mailer.configured && !outboxDir)) {
      this.logger.log(
        `report run=${runId} outcome=not_configured (REPORT_TO/REPORT_FROM and SMTP_URL or REPORT_OUTBOX_DIR)`,
      );
      return { runId, outcome: 'not_configured', attempts: 0 };
    }
    const locked = await withAdvisoryLock(this.db, `report:${runId}`, () =>
      this.deliverLocked(runId, to, now),
    );
    if (!locked.acquired) {
      this.logger.log(`report run=${runId} outcome=busy (another instance is sending it)`);
      return { runId, outcome: 'busy', attempts: 0 };
    }
    return locked.result!;
  }

  /**
   * Catch-up for reports that should have gone out but did not (the instance stopped between the
   * run's end and the send, or every attempt failed): finished runs of the last `maxAgeMs` that were
   * scheduled or asked for a report, finished at least `graceMs` ago (the runner's own delivery goes
   * first), with no successful delivery and fewer than `maxFailedDeliveries` failed ones.
   */
  async deliverPending(
    now = new Date(),
    opts: { maxAgeMs?: number; graceMs?: number; maxFailedDeliveries?: number } = {},
  ): Promise<DeliveryResult[]> {
    const maxAge = opts.maxAgeMs ?? 24 * 3600_000;
    const grace = opts.graceMs ?? 5 * 60_000;
    const due = await this.renderer.source.reportsDue(
      new Date(now.getTime() - maxAge),
      new Date(now.getTime() - grace),
    );
    const rows = due.length
      ? ((await this.db.query(
          `SELECT id FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n)
            WHERE NOT EXISTS (SELECT 1 FROM report_delivery d WHERE d.run_id = r.id AND d.outcome IN ('sent', 'outbox_only'))
              AND (SELECT count(*) FROM report_delivery d WHERE d.run_id = r.id AND d.outcome = 'failed') < $2
            ORDER BY n`,
          [due, opts.maxFailedDeliveries ?? 3],
        )) as { id: string }[])
      : [];
    const results: DeliveryResult[] = [];
    for (const { id } of rows) results.push(await this.deliver(id, now));
    return results;
  }

  private async deliverLocked(runId: string, to: string[], now: Date): Promise<DeliveryResult> {
    const done = (await this.db.query(
      `SELECT outcome FROM report_delivery WHERE run_id = $1 AND outcome IN ('sent', 'outbox_only') LIMIT 1`,
      [runId],
    )) as unknown[];
    if (done.length) {
      this.logger.log(`report run=${runId} outcome=already_sent`);
      return { runId, outcome: 'already_sent', attempts: 0 };
    }
    const report = await this.renderer.renderRun(runId, now);
    if (!report) return { runId, outcome: 'not_found', attempts: 0 };
    if (report.model.runStatus === 'queued' || report.model.runStatus === 'running') {
      this.logger.log(`report run=${runId} outcome=not_finished status=${report.model.runStatus}`);
      return { runId, outcome: 'not_finished', attempts: 0 };
    }

    const from = this.settings.REPORT_FROM!;
    const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'sverka.local';
    const message: MailMessage = {
      from,
      to,
      subject: report.subject,
      text: report.text,
      html: report.html,
      attachments: [
        { filename: report.csvFileName, content: report.csv, contentType: 'text/csv; charset=utf-8' },
      ],
      messageId: `<sverka-report-${runId}@${domain}>`,
      date: now,
    };
    const masked = maskRecipients(to);

    let outboxFile: string | undefined;
    let outboxError: string | undefined;
    if (this.settings.REPORT_OUTBOX_DIR) {
      try {
        outboxFile = await this.writeOutbox(
          this.settings.REPORT_OUTBOX_DIR,
          `${report.model.isoDate}-${runId}.eml`,
          message,
        );
      } catch (e) {
        outboxError = this.safeError(e);
        this.logger.warn(`report run=${runId} outbox write failed: ${outboxError}`);
      }
    }

    if (!this.mailer.configured) {
      const outcome = outboxFile ? 'outbox_only' : 'failed';
      await this.record(
        runId,
        1,
        outcome,
        masked,
        report.subject,
        message.messageId ?? null,
        outboxFile ?? null,
        outboxError ?? null,
      );
      this.logger.log(`report run=${runId} outcome=${outcome} file=${outboxFile ?? '-'}`);
      return { runId, outcome, attempts: 1, outboxFile, error: outboxError };
    }

    const attempts = this.delays.length + 1;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const { messageId } = await this.mailer.send(message);
        await this.record(
          runId,
          attempt,
          'sent',
          masked,
          report.subject,
          messageId,
          outboxFile ?? null,
          null,
        );
        this.metrics?.reportEmails.inc({ outcome: 'sent' });
        this.logger.log(
          `report run=${runId} outcome=sent attempt=${attempt} to=${masked.join(',')} messageId=${messageId}`,
        );
        return { runId, outcome: 'sent', attempts: attempt, messageId, outboxFile };
      } catch (e) {
        lastError = this.safeError(e);
        const last = attempt === attempts;
        await this.record(
          runId,
          attempt,
          last ? 'failed' : 'retrying',
          masked,
          report.subject,
          null,
          outboxFile ?? null,
          lastError,
        );
        this.logger.warn(
          `report run=${runId} outcome=${last ? 'failed' : 'retrying'} attempt=${attempt}/${attempts}: ${lastError}`,
        );
        if (!last) await this.sleep(this.delays[attempt - 1]);
      }
    }
    this.metrics?.reportEmails.inc({ outcome: 'failed' });
    return { runId, outcome: 'failed', attempts, outboxFile, error: lastError };
  }

  private async record(
    runId: string,
    attempt: number,
    outcome: 'sent' | 'retrying' | 'failed' | 'outbox_only',
    recipients: string[],
    subject: string,
    messageId: string | null,
    outboxFile: string | null,
    error: string | null,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO report_delivery (run_id, attempt, outcome, recipients, subject, message_id, outbox_file, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [runId, attempt, outcome, recipients, subject, messageId, outboxFile, error],
    );
  }

  /** Writes the composed message atomically (temp file, then rename) and returns its path. */
  private async writeOutbox(dir: string, name: string, message: MailMessage): Promise<string> {
    const raw = await this.mailer.compose(message);
    await mkdir(dir, { recursive: true });
    const file = join(dir, name);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, raw);
    await rename(tmp, file);
    return file;
  }
}
