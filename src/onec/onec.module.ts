import { Logger, Module } from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { OneCError, OneCErrorCode } from './onec.error.js';
import { ONEC_PORT, type OneCPort } from './onec.port.js';
import { OneCODataAdapter } from './odata/odata.adapter.js';
import { OneCFeedAdapter } from './feed/onec-feed.adapter.js';
import { ONEC_FEED_PORT, type OneCFeedPort } from './feed/onec-feed.port.js';

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Builds the OneCPort from settings: the OData adapter when ONEC_ODATA_URL is set; otherwise a port
 * whose every call fails with CONFIGURATION (the service may run without 1C, e.g. in API-only tests).
 * Warns once when the URL is plain http to a non-loopback host (Basic credentials travel in clear).
 */
export function createOneCPort(settings: Settings, mapping: Mapping, metrics?: SverkaMetrics): OneCPort {
  const url = settings.ONEC_ODATA_URL;
  if (!url) return unconfiguredPort();
  const u = new URL(url);
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname))
    new Logger('OneCModule').warn(
      `ONEC_ODATA_URL uses plain http to ${u.host}: the 1C password travels unencrypted; prefer https`,
    );
  return new OneCODataAdapter({
    baseUrl: url,
    user: settings.ONEC_USER ?? '',
    password: settings.ONEC_PASSWORD ?? '',
    mapping,
    metrics,
  });
}

function unconfiguredPort(): OneCPort {
  const fail = (): never => {
    throw new OneCError(OneCErrorCode.CONFIGURATION, 'ONEC_ODATA_URL is not set');
  };
  const failing = <T>(): AsyncIterable<T> => ({
    [Symbol.asyncIterator]: () => ({ next: async () => fail() }),
  });
  return {
    scanVersions: () => failing(),
    readAll: () => failing(),
    fetchByKeys: async () => fail(),
    getOne: async () => fail(),
    countLive: async () => fail(),
    readFolders: async () => fail(),
    readDebts: async () => fail(),
    ping: async () => fail(),
    recordUrl: () => null,
  };
}

/**
 * Builds the OneCFeedPort: the SverkaFeed HTTP adapter when ONEC_FEED_URL is set (same 1C user as OData);
 * otherwise a port whose every call fails with CONFIGURATION. Warns on plain http to a non-loopback host.
 */
export function createOneCFeedPort(
  settings: Settings,
  mapping: Mapping,
  metrics?: SverkaMetrics,
): OneCFeedPort {
  const url = settings.ONEC_FEED_URL;
  if (!url) {
    const fail = async (): Promise<never> => {
      throw new OneCError(OneCErrorCode.CONFIGURATION, 'ONEC_FEED_URL is not set');
    };
    return { changes: fail, ack: fail, state: fail };
  }
  const u = new URL(url);
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname))
    new Logger('OneCModule').warn(
      `ONEC_FEED_URL uses plain http to ${u.host}: the 1C password travels unencrypted; prefer https`,
    );
  return new OneCFeedAdapter({
    baseUrl: url,
    user: settings.ONEC_USER ?? '',
    password: settings.ONEC_PASSWORD ?? '',
    mapping,
    metrics,
  });
}

/**
 * Provides `ONEC_PORT` (the OData adapter) from the global SETTINGS and MAPPING, with the global
 * SverkaMetrics when present, and `ONEC_FEED_PORT` (the change feed). Import it in feature modules that
 * read 1C; inject with `@Inject(ONEC_PORT)` / `@Inject(ONEC_FEED_PORT)`.
 */
@Module({
  providers: [
    {
      provide: ONEC_PORT,
      // SverkaMetrics comes from the global metrics module when it is loaded; optional otherwise.
      inject: [SETTINGS, MAPPING, { token: SverkaMetrics, optional: true }],
      useFactory: (settings: Settings, mapping: Mapping, metrics?: SverkaMetrics) =>
        createOneCPort(settings, mapping, metrics ?? undefined),
    },
    {
      provide: ONEC_FEED_PORT,
      inject: [SETTINGS, MAPPING, { token: SverkaMetrics, optional: true }],
      useFactory: (settings: Settings, mapping: Mapping, metrics?: SverkaMetrics) =>
        createOneCFeedPort(settings, mapping, metrics ?? undefined),
    },
  ],
  exports: [ONEC_PORT, ONEC_FEED_PORT],
})
export class OneCModule {}
