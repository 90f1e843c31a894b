import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ApiKey } from './api-key.entity.js';
import { ApiKeyService } from './api-key.service.js';
import { ApiKeyView, CreateApiKeyDto } from './api-key.dto.js';
import { Roles } from './roles.decorator.js';

function view(k: ApiKey): ApiKeyView {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.keyPrefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/** API key management over REST (admin). The same as `npm run apikey -- create|list|revoke`. */
@ApiTags('api-keys')
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Get()
  @ApiOkResponse({ type: [ApiKeyView] })
  async list(): Promise<{ items: ApiKeyView[] }> {
    return { items: (await this.keys.list()).map(view) };
  }

  /** Creates a key; the key is in this response only. */
  @Post()
  @ApiCreatedResponse({ description: '{ id, name, role, key }' })
  async create(
    @Body() dto: CreateApiKeyDto,
  ): Promise<{ id: string; name: string; role: string; key: string }> {
    const { key, identity } = await this.keys.create(dto.name, dto.role);
    return { ...identity, key };
  }

  @Delete(':name')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyView })
  async revoke(@Param('name') name: string): Promise<ApiKeyView> {
    return view(await this.keys.revoke(name));
  }
}
