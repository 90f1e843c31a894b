import 'reflect-metadata';
import { ValidationPipe, VersioningType, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module.js';

export const API_PREFIX = 'api/v1';

/**
 * Builds the configured application (not yet listening): /api/v1 prefix (health and metrics stay at
 * the root), validation that rejects unknown properties, problem+json errors, helmet, OpenAPI at
 * /docs and /docs-json, pino logs. Entry points stop it with `stopOnSignals` (or `app.close()`).
 */
export async function createApp(
  opts: AppModuleOptions & { bufferLogs?: boolean },
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(opts), {
    bufferLogs: opts.bufferLogs ?? true,
    abortOnError: false,
    // Keeps the raw bytes of JSON bodies (req.rawBody): the 1C doorbell's HMAC covers them exactly.
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(
    helmet({
      // Swagger UI needs inline styles; scripts stay same-origin.
      contentSecurityPolicy: {
        directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
      },
    }),
  );
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: undefined });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
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
  return app;
}

/**
 * A promise rejected with nobody listening is logged, not fatal. The queue library (pg-boss 10) completes
 * and fails jobs without awaiting it, so a database restart while a job ends would otherwise stop the
 * whole service; everything of ours awaits its promises, and the run lifecycle recovers what such a
 * moment leaves behind.
 */
export function logUnhandledRejections(app: INestApplication): void {
  process.on('unhandledRejection', (reason: unknown) => {
    app.get(Logger).error(`unhandled rejection (the service keeps running): ${(reason as Error)?.message ?? String(reason)}`);
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
    app.get(Logger).log(`${signal} received: stopping`);
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
