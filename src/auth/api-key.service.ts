import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { ApiKey } from './api-key.entity.js';
import { generateApiKey, hashApiKey, keyDisplayPrefix } from './api-key.util.js';
import type { Role } from './roles.js';

export interface ApiKeyIdentity {
  id: string;
  name: string;
  role: Role;
}

/** Last-used time is written at most this often per key, to keep reads from writing on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeyService {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  /** Creates a key and returns it once; only its hash is stored. */
  async create(name: string, role: Role): Promise<{ key: string; identity: ApiKeyIdentity }> {
    const existing = await this.keys.findOne({ where: { name, revokedAt: IsNull() } });
    if (existing) throw new ConflictException(`an active API key named "${name}" exists; revoke it first`);
    const key = generateApiKey();
    const row = await this.keys.save(
      this.keys.create({ name, role, keyHash: hashApiKey(key), keyPrefix: keyDisplayPrefix(key) }),
    );
    return { key, identity: { id: row.id, name: row.name, role: row.role } };
  }

  async list(): Promise<ApiKey[]> {
    return this.keys.find({ order: { createdAt: 'ASC' } });
  }

  async revoke(name: string): Promise<ApiKey> {
    const row = await this.keys.findOne({ where: { name, revokedAt: IsNull() } });
    if (!row) throw new NotFoundException(`no active API key named "${name}"`);
    row.revokedAt = new Date();
    return this.keys.save(row);
  }

  /** The identity of an active key, or null for an unknown or revoked one. Updates last-used time. */
  async verify(key: string, now = new Date()): Promise<ApiKeyIdentity | null> {
    const row = await this.keys.findOne({ where: { keyHash: hashApiKey(key) } });
    if (!row || row.revokedAt) return null;
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.keys.update({ id: row.id }, { lastUsedAt: now });
    }
    return { id: row.id, name: row.name, role: row.role };
  }
}
