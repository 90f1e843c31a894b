import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { clientIp, MUTATING_METHODS, requestId, type SverkaRequest } from '../common/http/request-context.js';
import { AuditService } from './audit.service.js';

/** Audits every mutating call that passed the guard: who, what, target, outcome (ok or error status). */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<SverkaRequest>();
    if (!MUTATING_METHODS.has(req.method)) return next.handle();
    const base = () => ({
      action: `${req.method} ${req.route?.path ?? req.path}`,
      target: typeof req.params?.id === 'string' ? req.params.id : null,
      actor: req.apiKey ?? null,
      requestId: requestId(req),
      clientIp: clientIp(req),
    });
    return next.handle().pipe(
      tap((body: unknown) => {
        const id =
          body && typeof body === 'object' && 'id' in body ? String((body as { id: unknown }).id) : undefined;
        void this.audit.record({ ...base(), outcome: 'ok', detail: id ? { resultId: id } : null });
      }),
      catchError((err: unknown) => {
        const status = (err as { getStatus?: () => number }).getStatus?.() ?? 500;
        void this.audit.record({ ...base(), outcome: 'error', detail: { status } });
        return throwError(() => err);
      }),
    );
  }
}
