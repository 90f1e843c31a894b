import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { SverkaRequest } from '../common/http/request-context.js';

/** Rate limit per API key (per client IP for public routes); 429 with Retry-After. */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as unknown as SverkaRequest;
    return r.apiKey ? `key:${r.apiKey.id}` : `ip:${r.ip ?? 'unknown'}`;
  }
}
