import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem.filter.js';
import { requestId } from './request-context.js';

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the request carries a body (a length above 0 or a chunked one), as the body parser decides. */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The API takes JSON only: a body of any other type gets 415 instead of being ignored (a `text/plain`
 * body used to be dropped, and the call went ahead with every default). A call without a body is fine.
 */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (NO_BODY.has(req.method) || !hasBody(req) || req.is('application/json'))
    return next();
  const type = req.headers['content-type'];
  sendProblem(res, {
    type: 'about:blank',
    title: 'Unsupported Media Type',
    status: 415,
    detail: `Send the body as JSON with "Content-Type: application/json" (got ${type ? `"${type.slice(0, 100)}"` : 'no Content-Type'}).`,
    instance: req.originalUrl,
    requestId: requestId(req),
  });
}
