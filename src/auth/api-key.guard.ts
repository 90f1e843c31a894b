import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '../audit/audit.service.js';
import { clientIp, MUTATING_METHODS, requestId, type SverkaRequest } from '../common/http/request-context.js';
import { ApiKeyService } from './api-key.service.js';
import { bearerKey } from './api-key.util.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';
import { ROLE_KEY } from './roles.decorator.js';
import { roleAllows, type Role } from './roles.js';

/**
 * Every route needs `Authorization: Bearer <api key>` unless marked @Public(); the key's role must
 * be at least the route's @Roles() (viewer by default). Refused mutating calls are audited here,
 * because guards run before the audit interceptor.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly audit: AuditService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const need = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'viewer';
    const req = ctx.switchToHttp().getRequest<SverkaRequest>();

    const key = bearerKey(req.headers.authorization);
    const identity = key ? await this.keys.verify(key) : null;
    if (!identity) {
      await this.auditRefusal(req, null, 'unauthenticated');
      throw new UnauthorizedException(
        key
          ? 'The API key is unknown or revoked.'
          : 'An API key is required: send "Authorization: Bearer <key>".',
      );
    }
    req.apiKey = identity;
    if (!roleAllows(identity.role, need)) {
      await this.auditRefusal(req, identity, 'denied');
      throw new ForbiddenException(
        `This call needs the ${need} role; the key "${identity.name}" is a ${identity.role}.`,
      );
    }
    return true;
  }

  private async auditRefusal(req: SverkaRequest, actor: SverkaRequest['apiKey'] | null, outcome: string) {
    if (!MUTATING_METHODS.has(req.method)) return;
    await this.audit.record({
      action: `${req.method} ${req.route?.path ?? req.path}`,
      target: typeof req.params?.id === 'string' ? req.params.id : null,
      outcome,
      actor,
      requestId: requestId(req),
      clientIp: clientIp(req),
    });
  }
}
