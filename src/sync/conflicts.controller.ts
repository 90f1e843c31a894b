import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { ConflictsService } from './conflicts.service.js';
import { SyncQueryService } from './sync-query.service.js';
import { ConflictQueryDto, ResolveConflictDto, ResolveConflictsDto } from './sync.dto.js';

/** Field conflicts of the `manual` strategy, waiting for a person. */
@ApiTags('conflicts')
@ApiBearerAuth()
@Controller('conflicts')
export class ConflictsController {
  constructor(
    private readonly query: SyncQueryService,
    private readonly conflicts: ConflictsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Field conflicts (?status=open|resolved)' })
  list(@Query() q: ConflictQueryDto) {
    return this.query.conflicts(q);
  }

  @Post('resolve')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve open conflicts in bulk (by entity and/or field), the oldest `limit` per call',
    description:
      'Each conflict is resolved as by /conflicts/{id}/resolve. Answer: `{ resolved, failed: [{ id, detail }], remaining }`; call again while `remaining` > 0.',
  })
  resolveMany(@Body() dto: ResolveConflictsDto, @Req() req: { apiKey?: { name?: string } }) {
    return this.conflicts.resolveMany(
      { entity: dto.entity, field: dto.field },
      dto.keep,
      req.apiKey?.name ?? null,
      dto.limit,
    );
  }

  @Post(':id/resolve')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Keep the 1C or the CRM value (the 1C value is written to the CRM for `onec`)' })
  @ApiOkResponse({ description: 'The resolved conflict' })
  resolve(
    @Param('id') id: string,
    @Body() dto: ResolveConflictDto,
    @Req() req: { apiKey?: { name?: string } },
  ) {
    return this.conflicts.resolve(id, dto.keep, req.apiKey?.name ?? null);
  }
}
