import { Inject, Injectable, Optional } from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderText } from './render-text.js';
import { reportStrings } from './report-i18n.js';
import { buildReportModel, discrepancyKey, type ReportModel } from './report-model.js';
import { REPORT_SOURCE, type ReportSource } from './report-source.js';
import type { ConflictTodoReader } from '../todos/conflict-todo.reader.js';
import { DEFAULT_REPORT_THRESHOLDS, type ReportThresholds } from './report-thresholds.constants.js';

/** Optional provider overriding the default thresholds (see report-thresholds.constants.ts). */
export const REPORT_THRESHOLDS = Symbol('REPORT_THRESHOLDS');

/** Optional provider of overdue conflict to-dos (src/todos/conflict-todo.reader.ts) for the report's line. */
export const OVERDUE_TODOS_READER = Symbol('OVERDUE_TODOS_READER');

export type ReportFormat = 'html' | 'text' | 'csv';

export interface RenderedReport {
  model: ReportModel;
  subject: string;
  html: string;
  text: string;
  csv: Buffer;
  csvFileName: string;
}

export interface RenderedDocument {
  contentType: string;
  body: string | Buffer;
  /** For Content-Disposition of the CSV. */
  fileName?: string;
}

/** Loads a run through the ReportSource and renders it (HTML, text, CSV) in REPORT_LOCALE. */
@Injectable()
export class ReportRenderer {
  constructor(
    @Inject(REPORT_SOURCE) readonly source: ReportSource,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(REPORT_THRESHOLDS) private readonly thresholds?: ReportThresholds,
    @Optional()
    @Inject(OVERDUE_TODOS_READER)
    private readonly todos?: Pick<ConflictTodoReader, 'overdueAt'> | null,
  ) {}

  /** The report model of a run, or null when the run does not exist. */
  async buildForRun(runId: string, now = new Date()): Promise<ReportModel | null> {
    const run = await this.source.loadRun(runId);
    if (!run) return null;
    const [previous, discrepancies, clusters] = await Promise.all([
      this.source.loadPrevious(runId),
      this.source.loadDiscrepancies(runId),
      this.source.loadClusters(runId),
    ]);
    let previousKeys: Set<string> | null = null;
    if (previous)
      previousKeys = new Set(
        this.source.loadDiscrepancyKeys
          ? await this.source.loadDiscrepancyKeys(previous.id)
          : (await this.source.loadDiscrepancies(previous.id)).map(discrepancyKey),
      );
    // Overdue as the run finished, so a report rendered again later says the same.
    const overdueTodos = (await this.todos?.overdueAt(new Date(run.finishedAt ?? now))) ?? null;
    return buildReportModel({
      overdueTodos,
      run,
      previous,
      discrepancies,
      previousKeys,
      clusters,
      locale: this.settings.REPORT_LOCALE,
      links: { publicUrl: this.settings.PUBLIC_URL, grafanaUrl: this.settings.GRAFANA_URL },
      now,
      timeZone: this.settings.SCHEDULE_TZ,
      thresholds: this.thresholds ?? DEFAULT_REPORT_THRESHOLDS,
    });
  }

  render(model: ReportModel): RenderedReport {
    return {
      model,
      subject: model.subject,
      html: renderHtml(model),
      text: renderText(model),
      csv: renderCsv(model),
      csvFileName: reportStrings(model.locale).csvFileName(model.isoDate),
    };
  }

  async renderRun(runId: string, now = new Date()): Promise<RenderedReport | null> {
    const model = await this.buildForRun(runId, now);
    return model ? this.render(model) : null;
  }

  /** One format of a run's report for `GET /api/v1/reconciliations/{id}/report`; null when no such run. */
  async renderForRun(runId: string, format: ReportFormat): Promise<RenderedDocument | null> {
    const model = await this.buildForRun(runId);
    if (!model) return null;
    if (format === 'csv')
      return {
        contentType: 'text/csv; charset=utf-8',
        body: renderCsv(model),
        fileName: reportStrings(model.locale).csvFileName(model.isoDate),
      };
    if (format === 'text') return { contentType: 'text/plain; charset=utf-8', body: renderText(model) };
    return { contentType: 'text/html; charset=utf-8', body: renderHtml(model) };
  }
}
