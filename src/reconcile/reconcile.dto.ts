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
import { DEFAULT_SAMPLE_SIZE } from './reconcile.constants.js';

export class CreateReconciliationDto {
  @ApiPropertyOptional({
    enum: RECONCILE_ENTITIES,
    isArray: true,
    description: 'Entities to check (default: all, as scheduled runs)',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(RECONCILE_ENTITIES, { each: true })
  entities?: ReconcileEntity[];

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10000,
    default: DEFAULT_SAMPLE_SIZE,
    description: `Linked records re-read one by one from both systems (default ${DEFAULT_SAMPLE_SIZE}, as scheduled runs)`,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  sampleSize?: number;

  @ApiPropertyOptional({
    default: true,
    description: 'Also look for duplicates (default true, as scheduled runs)',
  })
  @IsOptional()
  @IsBoolean()
  dedupe?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      'E-mail the report to REPORT_TO when the run finishes (default false; scheduled runs always do)',
  })
  @IsOptional()
  @IsBoolean()
  report?: boolean;
}

/**
 * An API trigger's options: what the caller gave, and for what it omitted the scheduled run's values
 * (dedupe on, the default sample size; entities stay omitted, which means every entity) — except
 * `report`, which the caller asks for explicitly (scheduled runs always e-mail it).
 */
export function withScheduledDefaults(dto: CreateReconciliationDto): CreateReconciliationDto {
  return {
    ...dto,
    dedupe: dto.dedupe ?? true,
    sampleSize: dto.sampleSize ?? DEFAULT_SAMPLE_SIZE,
    report: dto.report ?? false,
  };
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
