import type { Request } from 'express';
import type { ApiKeyIdentity } from '../../auth/api-key.service.js';

/** What Sverka attaches to an Express request. */
export interface SverkaRequest extends Request {
  apiKey?: ApiKeyIdentity;
}

export function requestId(req: SverkaRequest): string | null {
  const id = (req as { id?: unknown }).id;
  return id === undefined || id === null ? null : String(id);
}

export function clientIp(req: Request): string | null {
  return req.ip ?? req.socket?.remoteAddress ?? null;
}

export const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
