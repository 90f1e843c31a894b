import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Matches,
  Min,
} from 'class-validator';
import { PageQueryDto } from '../common/http/pagination.js';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import { PLAN_ACTIONS, type PlanAction } from './dry-run-plan.js';

export class CreateSyncRunDto {
  @ApiPropertyOptional({
    enum: SYNC_ENTITIES,
    isArray: true,
    description: 'Entities to sync (default: all, in link order)',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(SYNC_ENTITIES, { each: true })
  entities?: SyncEntity[];

  @ApiPropertyOptional({
    description: 'Compare every record with the CRM, not only new/changed ones (default false)',
  })
  @IsOptional()
  @IsBoolean()
  full?: boolean;

  @ApiPropertyOptional({
    description:
      'Plan only: read both systems, write nothing to the CRM, change no link or sync state, keep the plan (GET /sync/runs/{id}/plan). Default false',
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

/** Which items of a dry run's plan. */
export class PlanQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SYNC_ENTITIES })
  @IsOptional()
  @IsIn(SYNC_ENTITIES)
  entity?: SyncEntity;

  @ApiPropertyOptional({ enum: PLAN_ACTIONS })
  @IsOptional()
  @IsIn(PLAN_ACTIONS)
  action?: PlanAction;
}

/** Which review items of matching. */
export class MatchQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'resolved', 'closed'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'resolved', 'closed'])
  status: 'open' | 'resolved' | 'closed' = 'open';

  @ApiPropertyOptional({ enum: ['counterparties', 'contacts'] })
  @IsOptional()
  @IsIn(['counterparties', 'contacts'])
  entity?: SyncEntity;
}

/** An operator's decision on a review item: link to one of its candidates, or create a new CRM record. */
export class ResolveMatchDto {
  @ApiPropertyOptional({ description: "The CRM id of one of the item's candidates" })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'crmId must be a CRM record id' })
  crmId?: string;

  @ApiPropertyOptional({ description: 'true: create a new CRM record for the 1C record' })
  @IsOptional()
  @IsIn([true], { message: 'create must be true when given' })
  create?: true;
}

/** A canonical field name (letters, digits, `_`; at most 64): nothing else can name a conflict's field. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Which conflicts: by entity and field (canonical names, e.g. `title`, `phones`, `inn`). */
class ConflictFilterDto {
  @ApiPropertyOptional({ enum: SYNC_ENTITIES })
  @IsOptional()
  @IsIn(SYNC_ENTITIES)
  entity?: SyncEntity;

  @ApiPropertyOptional({
    description: 'Canonical field name, e.g. title, phones, emails, inn',
    pattern: FIELD_NAME.source,
  })
  @IsOptional()
  @IsString()
  @Matches(FIELD_NAME, { message: 'field must be a field name such as title, phones, emails or inn' })
  field?: string;
}

export class ConflictQueryDto extends IntersectionType(PageQueryDto, ConflictFilterDto) {
  @ApiPropertyOptional({ enum: ['open', 'resolved'] })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';
}

/** Resolves open conflicts in bulk: the oldest `limit` matching ones per call. */
export class ResolveConflictsDto extends ConflictFilterDto {
  @ApiProperty({
    enum: ['onec', 'crm'],
    description: 'Which side keeps its value, for every matching conflict',
  })
  @IsIn(['onec', 'crm'])
  keep!: 'onec' | 'crm';

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100, description: 'At most this many per call' })
  @IsOptional()
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit: number = 100;
}

export class ResolveConflictDto {
  @ApiProperty({ enum: ['onec', 'crm'], description: 'Which side keeps its value' })
  @IsIn(['onec', 'crm'])
  keep!: 'onec' | 'crm';
}
