import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Settings } from '../config/settings.js';

/** Paths pino removes from every log line: credentials, keys, webhook secrets, personal data fields. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.pass',
  '*.secret',
  '*.webhookUrl',
  '*.apiKey',
  '*.key',
  '*.smtpUrl',
  '*.databaseUrl',
  '*.phone',
  '*.email',
];

/** The request's id: `X-Request-Id` when the caller sent a sane one, else a new UUID. */
export function requestIdFor(given: unknown): string {
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
}

/** The process's one pino logger (JSON lines on stdout, secrets redacted). */
export function createRootLogger(
  settings: Pick<Settings, 'LOG_LEVEL'>,
  destination?: DestinationStream,
): Pino {
  const opts = { level: settings.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(opts, destination) : pino(opts);
}

/** The logger of the request being served (with its request id), for log lines written while serving it. */
const requestLogger = new AsyncLocalStorage<Pino>();

/**
 * The first middleware of the app: gives every request an id (header `X-Request-Id` on the response,
 * `req.id`, `requestId` on each log line) before anything else can answer it — the body parser's
 * malformed-JSON error included — and logs each request when it ends (pino-http).
 */
export function requestLogging(root: Pino) {
  const http = pinoHttp({
    logger: root,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdFor(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: (req: IncomingMessage) => ({ requestId: (req as IncomingMessage & { id?: unknown }).id }),
    // Health and metrics are polled often; keep them out of the request log.
    autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? '') },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    http(req, res);
    requestLogger.run(req.log, next);
  };
}

const LEVELS: Record<string, Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/**
 * NestJS's LoggerService on pino: the framework's and every `new Logger(Context)` line becomes a JSON
 * line with `context` (and the request id while a request is served). Passed to NestFactory.create,
 * so even the first lines of a start that fails (e.g. the database cannot be reached) are JSON.
 *
 * Calls as NestJS makes them: `(message, ...params, context)`; a message may be an object (merged into
 * the line) or an Error (`err`); the exception handlers' `(message, stack, context)` becomes `err`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Pino) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(method: string, message: unknown, params: unknown[]): void {
    const logger = requestLogger.getStore() ?? this.root;
    const level = LEVELS[method];
    if (!logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    let rest = params;
    if (params.length) {
      fields.context = params[params.length - 1];
      rest = params.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      logger[level](fields, ...(rest as [string?]));
    } else if (message !== null && typeof message === 'object') {
      logger[level]({ ...fields, ...message }, ...(rest as [string?]));
    } else if (
      method === 'error' &&
      rest.length === 1 &&
      typeof rest[0] === 'string' &&
      /\n\s*at /.test(rest[0])
    ) {
      const err = new Error(String(message));
      err.stack = rest[0];
      logger.error({ ...fields, err });
    } else {
      logger[level](fields, String(message), ...(rest as []));
    }
  }
}
