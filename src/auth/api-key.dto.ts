import { ApiProperty } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { ROLES, type Role } from './roles.js';

/** What an API key name may be: 1–64 letters, digits, ".", "_" or "-". */
export const KEY_NAME = /^[\w.-]{1,64}$/;
export const KEY_NAME_MESSAGE = 'name must be 1-64 letters, digits, ".", "_" or "-"';

export class CreateApiKeyDto {
  @ApiProperty({
    example: 'grafana-reader',
    pattern: '^[\\w.-]{1,64}$',
    description: 'Unique among active keys; 1-64 letters, digits, . _ -',
  })
  @Matches(KEY_NAME, { message: KEY_NAME_MESSAGE })
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
