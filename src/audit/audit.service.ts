import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { ApiKeyIdentity } from '../auth/api-key.service.js';
import { AuditEvent } from './audit-event.entity.js';

export interface AuditRecord {
  action: string;
  target?: string | null;
  outcome: string;
  detail?: Record<string, unknown> | null;
  actor?: ApiKeyIdentity | null;
  requestId?: string | null;
  clientIp?: string | null;
}

/** Writes the append-only audit log. Never throws into the caller: a failed write is logged. */
@Injectable()
export class AuditService {
  private readonly log = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async record(r: AuditRecord): Promise<void> {
    try {
      const row: Partial<AuditEvent> = {
        action: r.action,
        target: r.target ?? null,
        outcome: r.outcome,
        detail: r.detail ?? null,
        keyId: r.actor?.id ?? null,
        keyName: r.actor?.name ?? null,
        role: r.actor?.role ?? null,
        requestId: r.requestId ?? null,
        clientIp: r.clientIp ?? null,
      };
      await this.events.save(this.events.create(row));
    } catch (err) {
      this.log.error(`audit write failed for ${r.action}: ${(err as Error).message}`);
    }
  }
}
