import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { SverkaRequest } from '../common/http/request-context.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';

export const RATE_LIMIT_PER_MINUTE = Symbol('RateLimitPerMinute');

/**
 * Per-key rate limit (API_RATE_LIMIT requests per minute for each API key) with 429 and Retry-After.
 * Runs after ApiKeyGuard, which identified the key. Public routes (health, metrics) are not limited.
 *
 * Why not @nestjs/throttler: it ships CommonJS only and requires the ESM-only @nestjs/common 12, which
 * Jest cannot load on Node 20; rate-limiter-flexible is the well-kept limiter it would wrap anyway.
 */
@Injectable()
export class KeyThrottlerGuard implements CanActivate {
  private readonly limiter: RateLimiterMemory;

  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMIT_PER_MINUTE) perMinute: number,
  ) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]))
      return true;
    const req = ctx.switchToHttp().getRequest<SverkaRequest>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const tracker = req.apiKey ? `key:${req.apiKey.id}` : `ip:${req.ip ?? 'unknown'}`;
    try {
      const r = await this.limiter.consume(tracker);
      res.setHeader('RateLimit-Remaining', String(r.remainingPoints));
      return true;
    } catch (rej) {
      if (!(rej instanceof RateLimiterRes)) throw rej;
      const seconds = Math.max(1, Math.ceil(rej.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      throw new HttpException(
        { title: 'Too Many Requests', detail: `Rate limit of this API key reached; retry in ${seconds} s.` },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
