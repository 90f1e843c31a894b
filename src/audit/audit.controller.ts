import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { Roles } from '../auth/roles.decorator.js';
import { decodeCursor, PageQueryDto, toPage, type Page } from '../common/http/pagination.js';
import { AuditEvent } from './audit-event.entity.js';

/** The audit log, newest first (admin). */
@ApiTags('audit')
@Roles('admin')
@Controller('audit-events')
export class AuditController {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  @Get()
  async list(@Query() q: PageQueryDto): Promise<Page<AuditEvent>> {
    const after = decodeCursor(q.cursor, { id: 'bigint' });
    const [rows, total] = await Promise.all([
      this.events.find({
        where: after ? { id: LessThan(after.id) } : {},
        order: { id: 'DESC' },
        take: q.limit + 1,
      }),
      this.events.count(),
    ]);
    return toPage(rows, q.limit, total, (r) => ({ id: r.id }));
  }
}
