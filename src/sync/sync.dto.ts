import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../common/http/pagination.js';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';

export class CreateSyncRunDto {
  @ApiPropertyOptional({ enum: SYNC_ENTITIES, isArray: true, description: 'Entities to sync (default: all, in link order)' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(SYNC_ENTITIES, { each: true })
  entities?: SyncEntity[];

  @ApiPropertyOptional({ description: 'Compare every record with the CRM, not only new/changed ones (default false)' })
  @IsOptional()
  @IsBoolean()
  full?: boolean;
}

export class ConflictQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'resolved'] })
  @IsOptional()
  @IsIn(['open', 'resolved'])
  status?: 'open' | 'resolved';
}

export class ResolveConflictDto {
  @ApiProperty({ enum: ['onec', 'crm'], description: 'Which side keeps its value' })
  @IsIn(['onec', 'crm'])
  keep!: 'onec' | 'crm';
}
