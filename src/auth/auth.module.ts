import { Global, Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service.js';
import { ApiKeysController } from './api-keys.controller.js';

@Global()
@Module({ providers: [ApiKeyService], controllers: [ApiKeysController], exports: [ApiKeyService] })
export class AuthModule {}
