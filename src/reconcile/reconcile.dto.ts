import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  DISCREPANCY_KINDS,
  DUPLICATE_SCOPES,
  RECONCILE_ENTITIES,
  SEVERITIES,
  type DiscrepancyKind,
  type DuplicateScope,
  type ReconcileEntity,
  type Severity,
} from '../common/vocabulary.js';
import { PageQueryDto } from '../common/http/pagination.js';

export class CreateReconciliationDto {
  @ApiPropertyOptional({
    enum: RECONCILE_ENTITIES,
    isArray: true,
    description: 'Entities to check (default: all)',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(RECONCILE_ENTITIES, { each: true })
  entities?: ReconcileEntity[];

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10000,
    description: 'Linked records re-read one by one from both systems (default 0)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  sampleSize?: number;

  @ApiPropertyOptional({ description: 'Also look for duplicates (default false; scheduled runs: true)' })
  @IsOptional()
  @IsBoolean()
  dedupe?: boolean;

  @ApiPropertyOptional({
    description: 'E-mail the report to REPORT_TO when the run finishes (default false)',
  })
  @IsOptional()
  @IsBoolean()
  report?: boolean;
}

export class DiscrepancyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DISCREPANCY_KINDS })
  @IsOptional()
  @IsIn(DISCREPANCY_KINDS)
  kind?: DiscrepancyKind;

  @ApiPropertyOptional({ enum: RECONCILE_ENTITIES })
  @IsOptional()
  @IsIn(RECONCILE_ENTITIES)
  entity?: ReconcileEntity;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;
}

export class DuplicateQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DUPLICATE_SCOPES })
  @IsOptional()
  @IsIn(DUPLICATE_SCOPES)
  scope?: DuplicateScope;
}
