import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotAcceptableException,
  Optional,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { SETTINGS, type Settings } from '../config/settings.js';
import { planCsv } from './plan-csv.js';
import { ENABLED_ENTITIES } from '../scope/enabled-entities.js';
import type { EnabledEntities } from '../scope/scope.types.js';
import { Roles } from '../auth/roles.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { SyncQueryService } from './sync-query.service.js';
import { SyncQueueService } from './sync-queue.service.js';
import { ActiveRunError } from '../runs/run.types.js';
import { CreateSyncRunDto, PlanQueryDto } from './sync.dto.js';

/** REST of README.md#the-rest-api for sync. A trigger only enqueues; a queue worker runs it. */
@ApiTags('sync')
@ApiBearerAuth()
@Controller('sync')
export class SyncController {
  constructor(
    private readonly queue: SyncQueueService,
    private readonly query: SyncQueryService,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(ENABLED_ENTITIES) private readonly enabled?: EnabledEntities,
  ) {}

  @Post('runs')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a sync run' })
  @ApiAcceptedResponse({ description: '{ id, status: "queued" }' })
  @ApiConflictResponse({
    description: 'A sync is already queued or running; the body names it in `activeRunId`',
  })
  async create(@Body() dto: CreateSyncRunDto) {
    const off = (dto.entities ?? []).filter((e) => this.enabled && !this.enabled.includes(e));
    if (off.length)
      throw new BadRequestException(
        `entities: ${off.join(', ')} ${off.length > 1 ? 'are' : 'is'} switched off by SYNC_ENTITIES (${this.enabled!.join(',')})`,
      );
    try {
      const run = await this.queue.enqueue({
        trigger: 'api',
        entities: dto.entities,
        full: dto.full ?? false,
        dryRun: dto.dryRun ?? false,
      });
      return { id: run.id, status: run.status };
    } catch (e) {
      if (e instanceof ActiveRunError)
        throw new ConflictException({
          title: 'A sync is already active',
          detail: `Sync run ${e.activeRunId} is queued or running; wait for it to finish.`,
          activeRunId: e.activeRunId,
          id: e.activeRunId,
        });
      throw e;
    }
  }

  @Get('runs')
  @ApiOperation({ summary: 'Sync runs, newest first' })
  list(@Query() q: PageQueryDto) {
    return this.query.listRuns(q);
  }

  @Get('runs/:id')
  @ApiOkResponse({ description: '{ id, status, trigger, startedAt, finishedAt, stats }' })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.query.getRun(id);
  }

  @Get('runs/:id/plan')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: "A dry run's plan: what a real run would create, update, link, hold for review, flag or skip",
    description:
      'JSON: `{ items: [{ entity, action, onecRef, crmId, name, inn, changes: [{ field, crm, onec }], reason }], nextCursor, total }`. ' +
      'With `Accept: text/csv`: every matching item as CSV (UTF-8 with a BOM; `;` when REPORT_LOCALE is ru).',
  })
  async plan(@Param('id', ParseUUIDPipe) id: string, @Query() q: PlanQueryDto, @Req() req: Request) {
    const format = req.accepts(['application/json', 'text/csv']);
    if (!format)
      throw new NotAcceptableException({
        title: 'Not acceptable',
        detail: 'Ask for application/json or text/csv',
      });
    if (format === 'application/json') return this.query.plan(id, q);
    const items = await this.query.planAll(id, { entity: q.entity, action: q.action });
    return new StreamableFile(planCsv(items, this.settings.REPORT_LOCALE), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="sverka-plan-${id}.csv"`,
    });
  }

  @Get('status')
  @ApiOperation({
    summary: 'Per entity: last success, lag, pending retries, dead letters; the 1C change feed',
    description:
      '`feed` (null unless ONEC_FEED_URL is set): last pull, last acknowledged message, changes waiting in 1C ' +
      '(`pending`, as last read at `stateAt`) and `lagSeconds` (seconds since the feed was last caught up).',
  })
  status() {
    return this.query.status();
  }
}
