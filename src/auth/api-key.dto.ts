import { ApiProperty } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { ROLES, type Role } from './roles.js';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'grafana-reader', description: 'Unique among active keys; letters, digits, . _ -' })
  @Matches(/^[\w.-]{1,64}$/, { message: 'name must be 1-64 letters, digits, ".", "_" or "-"' })
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class ApiKeyView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'First characters of the key, to tell keys apart' }) prefix: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}
