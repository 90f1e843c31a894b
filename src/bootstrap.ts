import 'reflect-metadata';
import { Logger, ValidationPipe, VersioningType, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Response } from 'express';
import helmet from 'helmet';
import type { Logger as Pino } from 'pino';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { errorToProblem, notFound } from './common/http/fallback-handlers.js';
import { limitBodyDepth, requireJsonBody } from './common/http/json-body.js';
import { methodNotAllowed, type RouteLayer } from './common/http/method-not-allowed.js';
import { serviceIndex } from './common/http/service-index.js';
import { createRootLogger, PinoNestLogger, requestLogging } from './common/logging.js';

export const API_PREFIX = 'api/v1';

/**
 * Builds the configured application (not yet listening): /api/v1 prefix (health and metrics stay at
 * the root), validation that rejects unknown properties, problem+json errors, helmet, OpenAPI at
 * /docs and /docs-json, JSON logs (pino) from the first line. Entry points stop it with
 * `stopOnSignals` (or `app.close()`).
 *
 * Express middleware order matters: the request id comes first so that every answer carries it (the
 * body parser's malformed-JSON error too), then 405 for a known path asked with another method, 415
 * for a body that is not JSON, the JSON parser and 400 for a body nested absurdly deep; NestJS adds
 * the routes at init, and a problem+json 404 and error handler follow them.
 */
export async function createApp(opts: AppModuleOptions & { logger?: Pino }): Promise<INestApplication> {
  const root = opts.logger ?? createRootLogger(opts.settings);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(opts), {
    logger: new PinoNestLogger(root),
    abortOnError: false,
    // Keeps the raw bytes of JSON bodies (req.rawBody): the 1C doorbell's HMAC covers them exactly.
    rawBody: true,
  });
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(requestLogging(root));
  const express = app.getHttpAdapter().getInstance() as unknown as { router: { stack: RouteLayer[] } };
  app.use(methodNotAllowed(() => express.router.stack));
  app.use(requireJsonBody);
  // The JSON parser here rather than at init, so that the depth guard can follow it (NestJS then skips its own).
  app.useBodyParser('json', { limit: '100kb' });
  app.use(limitBodyDepth);
  app.use(
    helmet({
      // Swagger UI needs inline styles; scripts stay same-origin.
      contentSecurityPolicy: {
        directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
      },
    }),
  );
  for (const path of ['/', `/${API_PREFIX}`])
    app.getHttpAdapter().get(path, (_req: unknown, res: unknown) => (res as Response).json(serviceIndex()));
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: undefined });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      // One message per property: `limit=abc` is "not a whole number", not also "less than 1" and "more than 1000".
      stopAtFirstError: true,
    }),
  );

  const doc = new DocumentBuilder()
    .setTitle('Sverka API')
    .setDescription(
      'Reconciliation and one-way sync between 1C:Enterprise and a CRM. Every /api/v1 call needs ' +
        '`Authorization: Bearer <api key>`; errors are application/problem+json (RFC 9457).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key from `npm run apikey -- create`' })
    .addSecurityRequirements('bearer')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'docs-json',
    useGlobalPrefix: false,
  });
  // The routes exist once the app is initialised; these two go after them (`listen` will not init again).
  try {
    await app.init();
  } catch (e) {
    // A start check refused (e.g. the pilot scope's folders, src/scope/): close what the modules opened
    // (pool, queue) so that the caller's refusal is the last word, then pass the error on.
    await app.close().catch(() => undefined);
    throw e;
  }
  app.use(notFound);
  app.use(errorToProblem);
  return app;
}

/**
 * A promise rejected with nobody listening is logged, not fatal. The queue library (pg-boss 10) completes
 * and fails jobs without awaiting it, so a database restart while a job ends would otherwise stop the
 * whole service; everything of ours awaits its promises, and the run lifecycle recovers what such a
 * moment leaves behind.
 */
export function logUnhandledRejections(): void {
  const log = new Logger('Process');
  process.on('unhandledRejection', (reason: unknown) => {
    log.error(`unhandled rejection (the service keeps running): ${(reason as Error)?.message ?? String(reason)}`);
  });
}

/**
 * Graceful shutdown: on SIGTERM or SIGINT stop taking requests and jobs, let in-flight work finish or
 * checkpoint (the modules' shutdown hooks), close the pool, then run `after` and exit 0.
 */
export function stopOnSignals(
  app: INestApplication,
  after: () => Promise<void> = async () => undefined,
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    new Logger('Shutdown').log(`${signal} received: stopping`);
    const force = setTimeout(() => process.exit(1), 60_000);
    force.unref();
    app
      .close()
      .then(after)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown failed: ${(err as Error)?.message ?? String(err)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
