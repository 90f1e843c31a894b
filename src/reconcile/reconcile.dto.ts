import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

/** One discrepancy item as the API returns it (OpenAPI documentation of the list below). */
export class DiscrepancyItemView {
  @ApiProperty({ example: '1842' })
  id!: string;

  @ApiProperty({ enum: DISCREPANCY_KINDS })
  kind!: DiscrepancyKind;

  @ApiProperty({ enum: RECONCILE_ENTITIES })
  entity!: ReconcileEntity;

  @ApiProperty({ enum: SEVERITIES })
  severity!: Severity;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'a348aa8c-d629-11e5-0a9b-000c295e30eb',
    description: '1C Ref_Key',
  })
  onecRef!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2919', description: 'CRM record id' })
  crmId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'inn', description: 'Canonical field name' })
  field!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '5024089920' })
  onecValue!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '5024089921' })
  crmValue!: string | null;

  @ApiProperty({ description: 'Human-readable, in REPORT_LOCALE' })
  detail!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ООО «Ромашка»',
    description: "The record's 1C name, else its CRM title",
  })
  name!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '5024089920',
    description: 'INN of the counterparty (counterparties and debts)',
  })
  inn!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'https://acme.bitrix24.ru/crm/company/details/2919/',
    description:
      "The record's card in the CRM (null when the portal's address is unknown or the record is gone)",
  })
  crmUrl!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example:
      'https://1c.example.ru/bp30/#e1cib/data/%D0%A1%D0%BF%D1%80%D0%B0%D0%B2%D0%BE%D1%87%D0%BD%D0%B8%D0%BA.%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82%D1%8B?ref=0a9b000c295e30eb11e5d629a348aa8c',
    description:
      'The record in the 1C web client of the OData publication (null when none can be formed or the record is gone)',
  })
  onecUrl!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'К выполнению → В работе',
    description:
      'How onecValue reads when it is a code (deal stage names with the 1C status, company titles)',
  })
  onecLabel!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Сделка провалена',
    description: 'How crmValue reads when it is a code',
  })
  crmLabel!: string | null;
}

export class DiscrepancyPageView {
  @ApiProperty({ type: [DiscrepancyItemView] })
  items!: DiscrepancyItemView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;

  @ApiProperty()
  total!: number;
}
