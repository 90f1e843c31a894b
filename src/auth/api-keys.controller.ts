import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { ApiKey } from './api-key.entity.js';
import { ApiKeyService } from './api-key.service.js';
import { ApiKeyView, CreateApiKeyDto, KEY_NAME, KEY_NAME_MESSAGE } from './api-key.dto.js';
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
  @ApiParam({ name: 'name', schema: { type: 'string', pattern: KEY_NAME.source } })
  @ApiOkResponse({ type: ApiKeyView })
  async revoke(@Param('name') name: string): Promise<ApiKeyView> {
    // A name no key can have (a NUL byte, 300 characters) is refused here, not by the database.
    if (!KEY_NAME.test(name)) throw new BadRequestException(KEY_NAME_MESSAGE);
    return view(await this.keys.revoke(name));
  }
}
