import {
  BadRequestException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { SETTINGS, type Settings } from '../config/settings.js';
import { SIGNATURE_HEADER } from './feed.constants.js';
import { verifyDoorbell, type Doorbell } from './verify-doorbell.js';

/** A request the guard let through: the verified doorbell is attached. */
export interface DoorbellRequest extends Request {
  rawBody?: Buffer;
  doorbell?: Doorbell;
}

/**
 * Lets a 1C doorbell in only with a valid `X-Sverka-Signature` (HMAC-SHA256 of the raw body with
 * ONEC_FEED_SECRET, constant-time compare), a well-formed body and a `ts` within 5 minutes
 * (src/feed/verify-doorbell.ts). The raw bytes come from Nest's `rawBody` option (src/bootstrap.ts): the
 * signature covers the body exactly as sent, not a re-serialisation. 401 / 400 as problem+json; the route
 * needs no API key (1C has none) — this guard is its authentication.
 */
@Injectable()
export class DoorbellSignatureGuard implements CanActivate {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<DoorbellRequest>();
    const verdict = verifyDoorbell({
      rawBody: req.rawBody,
      signature: req.headers[SIGNATURE_HEADER],
      secret: this.settings.ONEC_FEED_SECRET,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!verdict.ok) {
      if (verdict.status === 400) throw new BadRequestException(verdict.reason);
      throw new UnauthorizedException(verdict.reason);
    }
    req.doorbell = verdict.doorbell;
    return true;
  }
}
