import type { Request } from 'express';
import type { ApiKeyIdentity } from '../../auth/api-key.service.js';

/** What Sverka attaches to an Express request. */
export interface SverkaRequest extends Request {
  id?: string | number | object;
  apiKey?: ApiKeyIdentity;
}

export function requestId(req: SverkaRequest): string | null {
  return req.id === undefined ? null : String(req.id);
}

export function clientIp(req: Request): string | null {
  return req.ip ?? req.socket?.remoteAddress ?? null;
}

export const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
