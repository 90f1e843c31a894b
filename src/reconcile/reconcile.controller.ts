import {
  BadRequestException,
  Body,
  Inject,
  Optional,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotAcceptableException,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
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
import { Roles } from '../auth/roles.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { ReconcileQueryService } from './reconcile-query.service.js';
import { RECONCILE_REPORTS, type ReconcileReports } from './reconcile-reports.port.js';
import { ActiveRunError } from '../runs/run.types.js';
import { ENABLED_ENTITIES, enabledReconcileEntities, switchedOffReason } from '../scope/enabled-entities.js';
import type { EnabledEntities } from '../scope/scope.types.js';
import { ReconcileQueueService } from './reconcile-queue.service.js';
import {
  CreateReconciliationDto,
  DiscrepancyPageView,
  DiscrepancyQueryDto,
  DuplicateQueryDto,
  withScheduledDefaults,
} from './reconcile.dto.js';

/** REST of README.md#the-rest-api for reconciliations. Triggers only enqueue; the queue worker runs. */
@ApiTags('reconciliations')
@ApiBearerAuth()
@Controller('reconciliations')
export class ReconcileController {
  constructor(
    private readonly queue: ReconcileQueueService,
    private readonly query: ReconcileQueryService,
    @Inject(RECONCILE_REPORTS) private readonly reports: ReconcileReports,
    @Optional() @Inject(ENABLED_ENTITIES) private readonly enabled?: EnabledEntities,
  ) {}

  @Post()
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a reconciliation run',
    description:
      "Omitted fields take the scheduled run's values (every entity, dedupe on, the default sample size); " +
      '`report` defaults to false. A call without a body runs what the daily schedule runs, without the e-mail.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key → the same run' })
  @ApiAcceptedResponse({ description: '{ id, status: "queued" }' })
  @ApiConflictResponse({
    description: 'A reconciliation is already queued or running; the body names it in `activeRunId`',
  })
  async create(@Body() dto: CreateReconciliationDto, @Headers('idempotency-key') key?: string) {
    // An entity switched off by SYNC_ENTITIES is refused rather than run as a skipped check: the caller
    // asked for a comparison that cannot happen (an omitted list takes the enabled entities).
    if (this.enabled && dto.entities?.length) {
      const allowed = enabledReconcileEntities(this.enabled);
      const off = [...new Set(dto.entities)].filter((e) => !allowed.includes(e));
      if (off.length)
        throw new BadRequestException(
          `entities: ${off.map((e) => `${e} is ${switchedOffReason(e, this.enabled!)}`).join('; ')}`,
        );
    }
    try {
      const run = await this.queue.enqueue({
        trigger: 'api',
        ...withScheduledDefaults(dto),
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
  @ApiOperation({
    summary:
      "A run's discrepancy items: each names the record (name, INN) and links its CRM card and 1C object",
  })
  @ApiOkResponse({ type: DiscrepancyPageView })
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
    const doc = await this.reports.render(id, kind);
    if (!doc)
      throw new NotFoundException({
        title: 'Reconciliation not found',
        detail: `No reconciliation run ${id}`,
      });
    res.type(doc.contentType);
    if (doc.fileName) res.setHeader('Content-Disposition', `attachment; filename="${doc.fileName}"`);
    res.send(doc.body);
  }
}
