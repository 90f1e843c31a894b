import { Global, Logger, Module } from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { Bitrix24Adapter } from './bitrix24/bitrix24.adapter.js';
import { CRM_PORT, type CrmPort } from './crm.port.js';

/** True for localhost, 127.0.0.0/8 and ::1. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

let warnedPlainHttp = false;

/**
 * Builds the CrmPort from settings — a dispatcher on CRM_KIND (only `bitrix24` so far; an amoCRM adapter
 * adds a case). Returns null when the CRM is not configured (no BITRIX24_WEBHOOK_URL): consumers inject
 * CRM_PORT with @Optional() and skip CRM work. Warns once per process when the webhook URL is plain
 * http to a non-loopback host (the secret is in the URL path); the URL itself is never logged.
 */
export function createCrmPort(settings: Settings, metrics?: SverkaMetrics): CrmPort | null {
  switch (settings.CRM_KIND) {
    case 'bitrix24': {
      const url = settings.BITRIX24_WEBHOOK_URL;
      if (!url) return null;
      const u = new URL(url);
      if (u.protocol === 'http:' && !isLoopbackHost(u.hostname) && !warnedPlainHttp) {
        warnedPlainHttp = true;
        new Logger('CrmModule').warn(
          `BITRIX24_WEBHOOK_URL uses plain http to ${u.host}: the webhook secret travels unencrypted; use https`,
        );
      }
      return new Bitrix24Adapter({
        webhookUrl: url,
        rps: settings.BITRIX24_RPS,
        burst: settings.BITRIX24_BURST,
        originatorId: settings.ONEC_ORIGINATOR_ID,
        metrics,
      });
    }
    default: {
      const kind: never = settings.CRM_KIND;
      throw new Error(`CRM_KIND ${String(kind)} has no adapter`);
    }
  }
}

/** Tests: lets the plain-http warning fire again. */
export function resetCrmModuleWarnings(): void {
  warnedPlainHttp = false;
}

/**
 * Provides `CRM_PORT` (global) from the injected SETTINGS, with SverkaMetrics when the metrics module is
 * loaded. CRM_PORT is `null` when BITRIX24_WEBHOOK_URL is not set: inject it as
 * `@Optional() @Inject(CRM_PORT) crm?: CrmPort | null`.
 */
@Global()
@Module({
  providers: [
    {
      provide: CRM_PORT,
      inject: [SETTINGS, { token: SverkaMetrics, optional: true }],
      useFactory: (settings: Settings, metrics?: SverkaMetrics) =>
        createCrmPort(settings, metrics ?? undefined),
    },
  ],
  exports: [CRM_PORT],
})
export class CrmModule {}
