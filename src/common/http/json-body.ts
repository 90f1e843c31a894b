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
  if (NO_BODY.has(req.method) || !hasBody(req) || req.is('application/json')) return next();
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

/** Deeper than any body the API takes (its DTOs nest two levels); validation recurses per level. */
export const MAX_BODY_DEPTH = 32;

/** How deep a parsed JSON value nests (objects and arrays), counted without recursion; stops past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d]);
  }
  return deepest;
}

/**
 * After the JSON parser: a body nested deeper than MAX_BODY_DEPTH gets 400 before validation and
 * transformation walk it recursively (thousands of levels overflowed the stack: a 500).
 */
export function limitBodyDepth(req: Request, res: Response, next: NextFunction): void {
  if (jsonDepth(req.body, MAX_BODY_DEPTH) <= MAX_BODY_DEPTH) return next();
  sendProblem(res, {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: `The JSON body nests deeper than ${MAX_BODY_DEPTH} levels.`,
    instance: req.originalUrl,
    requestId: requestId(req),
  });
}
