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
  405: 'Method Not Allowed',
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
  const client = clientError(err);
  if (client) {
    return {
      type: 'about:blank',
      title: TITLES[client.status] ?? HttpStatus[client.status] ?? 'Bad Request',
      status: client.status,
      detail: client.detail,
      instance,
      requestId: reqId ?? null,
    };
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

/**
 * A client error raised below NestJS (Express's router, the body parser) in the `http-errors` shape:
 * a 4xx `status` with `expose` set, e.g. 413 for a body over the limit or 400 for a path that is not
 * valid percent-encoding. Its message was written for clients; anything else stays a 500.
 */
function clientError(err: unknown): { status: number; detail: string } | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as {
    status?: unknown;
    statusCode?: unknown;
    expose?: unknown;
    message?: unknown;
    type?: unknown;
  };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499 || e.expose !== true) return null;
  const detail = BODY_ERRORS[String(e.type)] ?? (typeof e.message === 'string' ? e.message : '');
  return { status, detail };
}

/** Clearer words for the body parser's errors (by its `type`). */
const BODY_ERRORS: Record<string, string> = {
  'entity.too.large': 'The request body is larger than the service accepts.',
  'entity.parse.failed': 'The request body is not valid JSON.',
  'encoding.unsupported': 'The request body has an unsupported Content-Encoding or charset.',
  'charset.unsupported': 'The request body has an unsupported charset: send UTF-8.',
  'request.aborted': 'The request body was not received completely.',
};

/** Writes problem details as the response (used by the filter and by middleware that answers early). */
export function sendProblem(res: Response, problem: ProblemDetails): void {
  if (res.headersSent) return;
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
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
    sendProblem(res, problem);
  }
}
