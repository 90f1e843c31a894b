import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { MatchResolveError } from './match-store.js';
import { SyncRunnerService } from './sync-runner.service.js';
import { MatchQueryDto, ResolveMatchDto } from './sync.dto.js';

/**
 * The review queue of matching (README.md#going-live): 1C records held because more than one CRM record
 * (or more than one 1C record) has the same INN, or the same person; an operator links or creates.
 */
@ApiTags('matches')
@ApiBearerAuth()
@Controller('matches')
export class MatchesController {
  constructor(private readonly runner: SyncRunnerService) {}

  @Get()
  @ApiOperation({
    summary:
      '1C records waiting for a matching decision (?status=open|resolved|closed, default open; ?entity=)',
    description:
      'Items: `{ id, entity, onecRef, name, inn, kpp, status, reason, candidates: [{ crmId, title, inn, kpp, reason }], decision, resolvedBy, resolvedAt, appliedAt, closedReason, createdAt }`.',
  })
  list(@Query() q: MatchQueryDto) {
    return this.runner.matches.list(q);
  }

  @Post(':id/resolve')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Decide: `{ "crmId": "…" }` links the 1C record to that candidate, `{ "create": true }` creates a new CRM record',
    description:
      'The next sync carries the decision out. 404: unknown id; 409: the item is not open; 400: crmId is not a candidate.',
  })
  @ApiOkResponse({ description: 'The resolved item' })
  async resolve(
    @Param('id') id: string,
    @Body() dto: ResolveMatchDto,
    @Req() req: { apiKey?: { name?: string } },
  ) {
    if ((dto.crmId === undefined) === (dto.create === undefined))
      throw new BadRequestException('give exactly one of crmId (one of the candidates) or create: true');
    const by = req.apiKey?.name ?? 'api';
    try {
      // Audited with the caller's key by the audit interceptor, as every mutating call.
      return await this.runner.matches.resolve(
        id,
        dto.crmId !== undefined ? { crmId: dto.crmId } : { create: true },
        by,
      );
    } catch (e) {
      if (!(e instanceof MatchResolveError)) throw e;
      if (e.reason === 'not_found')
        throw new NotFoundException({ title: 'Match not found', detail: e.message });
      if (e.reason === 'not_open')
        throw new ConflictException({ title: 'Match is not open', detail: e.message });
      throw new BadRequestException({ title: 'Not a candidate', detail: e.message });
    }
  }
}
