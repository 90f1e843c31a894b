import {
  Body,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotAcceptableException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { Roles } from '../auth/roles.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { ReconcileQueryService } from './reconcile-query.service.js';
import { ActiveRunError } from './reconcile-run.repository.js';
import { ReconcileQueueService } from './reconcile-queue.service.js';
import { CreateReconciliationDto, DiscrepancyQueryDto, DuplicateQueryDto } from './reconcile.dto.js';

/** REST of service-contract §3 for reconciliations. Triggers only enqueue; the queue worker runs. */
@ApiTags('reconciliations')
@ApiBearerAuth()
@Controller('reconciliations')
export class ReconcileController {
  constructor(
    private readonly queue: ReconcileQueueService,
    private readonly query: ReconcileQueryService,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Post()
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a reconciliation run' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key → the same run' })
  @ApiAcceptedResponse({ description: '{ id, status: "queued" }' })
  @ApiConflictResponse({
    description: 'A reconciliation is already queued or running; the body names it in `activeRunId`',
  })
  async create(@Body() dto: CreateReconciliationDto, @Headers('idempotency-key') key?: string) {
    try {
      const run = await this.queue.enqueue({
        trigger: 'api',
        ...dto,
        idempotencyKey: key?.trim() ? key.trim().slice(0, 200) : null,
      });
      return { id: run.id, status: run.status };
    } catch (e) {
      if (e instanceof ActiveRunError)
        throw new ConflictException({
          title: 'A reconciliation is already active',
          detail: `Reconciliation ${e.activeRunId} is queued or running; wait for it to finish.`,
          activeRunId: e.activeRunId,
          id: e.activeRunId,
        });
      throw e;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Runs, newest first' })
  list(@Query() q: PageQueryDto) {
    return this.query.listRuns(q);
  }

  @Get('latest')
  @ApiOperation({ summary: 'The newest finished run' })
  latest() {
    return this.query.latest();
  }

  @Get(':id')
  @ApiOkResponse({ description: '{ id, status, trigger, startedAt, finishedAt, summary }' })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.query.getRun(id);
  }

  @Get(':id/discrepancies')
  discrepancies(@Param('id', ParseUUIDPipe) id: string, @Query() q: DiscrepancyQueryDto) {
    return this.query.discrepancies(id, q);
  }

  @Get(':id/duplicates')
  duplicates(@Param('id', ParseUUIDPipe) id: string, @Query() q: DuplicateQueryDto) {
    return this.query.duplicates(id, q);
  }

  @Get(':id/report')
  @ApiProduces('text/html', 'text/csv')
  @ApiOperation({
    summary: 'The report as HTML (Accept: text/html) or the discrepancies as CSV (Accept: text/csv)',
  })
  async report(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.query.getRun(id);
    const format = req.accepts(['text/html', 'text/csv']);
    if (!format)
      throw new NotAcceptableException({ title: 'Not acceptable', detail: 'Ask for text/html or text/csv' });
    const kind = format === 'text/csv' ? 'csv' : 'html';
    const rendered = await renderWithReportModule(this.moduleRef, id, kind);
    if (rendered !== null) {
      res.type(format).send(rendered);
      return;
    }
    if (kind === 'html')
      throw new NotAcceptableException({
        title: 'HTML report unavailable',
        detail: 'The report module is not loaded; ask for text/csv',
      });
    const rows: string[][] = [
      ['id', 'kind', 'entity', 'severity', 'onecRef', 'crmId', 'field', 'onecValue', 'crmValue', 'detail'],
    ];
    for await (const d of this.query.allDiscrepancies(id))
      rows.push([
        d.id,
        d.kind,
        d.entity,
        d.severity,
        d.onecRef ?? '',
        d.crmId ?? '',
        d.field ?? '',
        d.onecValue ?? '',
        d.crmValue ?? '',
        d.detail,
      ]);
    res
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="reconciliation-${id}.csv"`);
    res.send('\ufeff' + stringify(rows));
  }
}

/** ReportDeliveryService.renderForRun(runId, kind) when the report module is loaded; null otherwise. */
async function renderWithReportModule(
  moduleRef: ModuleRef,
  runId: string,
  kind: 'html' | 'csv',
): Promise<string | null> {
  const specifier = '../report/report-delivery.service.js';
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const cls = mod.ReportDeliveryService as (new (...a: unknown[]) => unknown) | undefined;
  if (!cls) return null;
  type Renderer = { renderForRun?(id: string, k: string): Promise<string | Buffer> };
  let svc: Renderer | null;
  try {
    svc = moduleRef.get(cls, { strict: false }) as Renderer | null;
  } catch {
    return null;
  }
  if (!svc?.renderForRun) return null;
  const out = await svc.renderForRun(runId, kind);
  return typeof out === 'string' ? out : out.toString('utf8');
}
