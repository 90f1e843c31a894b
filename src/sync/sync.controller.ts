import { Body, ConflictException, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { PageQueryDto } from '../common/http/pagination.js';
import { SyncQueryService } from './sync-query.service.js';
import { SyncQueueService } from './sync-queue.service.js';
import { ActiveRunError } from '../runs/run.types.js';
import { CreateSyncRunDto } from './sync.dto.js';

/** REST of README.md#the-rest-api for sync. A trigger only enqueues; a queue worker runs it. */
@ApiTags('sync')
@ApiBearerAuth()
@Controller('sync')
export class SyncController {
  constructor(
    private readonly queue: SyncQueueService,
    private readonly query: SyncQueryService,
  ) {}

  @Post('runs')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a sync run' })
  @ApiAcceptedResponse({ description: '{ id, status: "queued" }' })
  @ApiConflictResponse({ description: 'A sync is already queued or running; the body names it in `activeRunId`' })
  async create(@Body() dto: CreateSyncRunDto) {
    try {
      const run = await this.queue.enqueue({ trigger: 'api', entities: dto.entities, full: dto.full ?? false });
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
