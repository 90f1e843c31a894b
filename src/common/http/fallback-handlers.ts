import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem, toProblem } from './problem.filter.js';
import { requestId } from './request-context.js';

const log = new Logger('HTTP');

/**
 * The last two handlers of the app, for what NestJS leaves to Express outside the /api/v1 prefix
 * (its own not-found and error handlers only cover the prefix): a 404 and any error (the body parser's,
 * a path that is not valid percent-encoding) as problem+json rather than Express's HTML page.
 */
export function notFound(req: Request, res: Response): void {
  sendProblem(res, {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: `Nothing at ${req.method} ${req.path}: see / for the links, /docs for the API.`,
    instance: req.originalUrl,
    requestId: requestId(req),
  });
}

export function errorToProblem(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const problem = toProblem(err, req.originalUrl, requestId(req));
  if (problem.status >= 500)
    log.error({ err, requestId: problem.requestId }, `unhandled error on ${req.method} ${req.path}`);
  sendProblem(res, problem);
}
