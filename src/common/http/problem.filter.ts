import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { requestId, type SverkaRequest } from './request-context.js';

/** RFC 9457 problem details. Extra members (e.g. `activeRunId`) pass through from the exception body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string | null;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const RESERVED = new Set(['statusCode', 'message', 'error', 'type', 'title', 'status', 'detail', 'instance']);

/** Pure: an exception (anything thrown) → problem details. Never includes a stack trace. */
export function toProblem(err: unknown, instance?: string, reqId?: string | null): ProblemDetails {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const problem: ProblemDetails = {
      type: 'about:blank',
      title: TITLES[status] ?? HttpStatus[status] ?? 'Error',
      status,
      instance,
      requestId: reqId ?? null,
    };
    if (typeof body === 'string') {
      problem.detail = body;
    } else if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const message = b.detail ?? b.message;
      problem.detail = Array.isArray(message)
        ? message.join('; ')
        : typeof message === 'string'
          ? message
          : undefined;
      if (typeof b.title === 'string') problem.title = b.title;
      if (typeof b.type === 'string') problem.type = b.type;
      for (const [k, v] of Object.entries(b)) if (!RESERVED.has(k)) problem[k] = v;
    }
    if (problem.detail === problem.title) delete problem.detail;
    return problem;
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: `An unexpected error occurred. The service log has the details under request id ${reqId ?? 'unknown'}.`,
    instance,
    requestId: reqId ?? null,
  };
}

/** The one exception filter: every error leaves as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<SverkaRequest>();
    const problem = toProblem(err, req.originalUrl ?? req.url, requestId(req));
    if (problem.status >= 500) {
      this.log.error(
        { err, requestId: problem.requestId },
        `unhandled error on ${req.method} ${req.path}: ${(err as Error)?.message ?? String(err)}`,
      );
    }
    if (res.headersSent) return;
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}
