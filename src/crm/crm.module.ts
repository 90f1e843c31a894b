import { Global, Logger, Module } from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { Bitrix24Adapter, bitrix24ConfigOf } from './bitrix24/bitrix24.adapter.js';
import { CRM_PORT, type CrmPort } from './crm.port.js';

/** True for localhost, 127.0.0.0/8 and ::1. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

const warnedPlainHttp = new Set<string>();

/** Warns once per setting and process when a CRM address is plain http to a non-loopback host (the URL is never logged). */
function warnPlainHttp(setting: string, url: string, what: string): void {
  const u = new URL(url);
  if (u.protocol !== 'http:' || isLoopbackHost(u.hostname) || warnedPlainHttp.has(setting)) return;
  warnedPlainHttp.add(setting);
  new Logger('CrmModule').warn(`${setting} uses plain http to ${u.host}: ${what} travels unencrypted; use https`);
}

/**
 * Builds the CrmPort from settings and the mapping (its CRM section) — a dispatcher on CRM_KIND. Returns
 * null when the CRM is not configured (no webhook URL / account address): consumers inject CRM_PORT with
 * @Optional() and skip CRM work. A bad CRM section of the mapping throws, naming each mistake.
 */
export function createCrmPort(settings: Settings, mapping: Mapping, metrics?: SverkaMetrics): CrmPort | null {
  switch (settings.CRM_KIND) {
    case 'bitrix24': {
      const url = settings.BITRIX24_WEBHOOK_URL;
      if (!url) return null;
      warnPlainHttp('BITRIX24_WEBHOOK_URL', url, 'the webhook secret');
      return new Bitrix24Adapter({
        webhookUrl: url,
        rps: settings.BITRIX24_RPS,
        burst: settings.BITRIX24_BURST,
        config: bitrix24ConfigOf(mapping.crm.bitrix24),
        metrics,
      });
    }
    case 'amocrm':
      throw new Error('CRM_KIND=amocrm: the amoCRM adapter is not built in yet');
  }
}

/** Tests: lets the plain-http warnings fire again. */
export function resetCrmModuleWarnings(): void {
  warnedPlainHttp.clear();
}

/**
 * Provides `CRM_PORT` (global) from the injected SETTINGS and MAPPING, with SverkaMetrics when the metrics
 * module is loaded. CRM_PORT is `null` when the CRM is not configured: inject it as
 * `@Optional() @Inject(CRM_PORT) crm?: CrmPort | null`.
 */
@Global()
@Module({
  providers: [
    {
      provide: CRM_PORT,
      inject: [SETTINGS, MAPPING, { token: SverkaMetrics, optional: true }],
      useFactory: (settings: Settings, mapping: Mapping, metrics?: SverkaMetrics) =>
        createCrmPort(settings, mapping, metrics ?? undefined),
    },
  ],
  exports: [CRM_PORT],
})
export class CrmModule {}
