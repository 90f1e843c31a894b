import { Global, Inject, Injectable, Logger, Module, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { AmoCrmAdapter, amoCrmConfigOf } from './amocrm/amocrm.adapter.js';
import { Bitrix24Adapter, bitrix24ConfigOf } from './bitrix24/bitrix24.adapter.js';
import { CrmError, CrmErrorCode } from './crm.error.js';
import { CRM_PORT, type CrmPort } from './crm.port.js';
import { describeError } from '../common/describe-error.js';

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
 * null when the CRM is not configured (no webhook URL; no account address or token): consumers inject CRM_PORT with
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
    case 'amocrm': {
      const url = settings.AMOCRM_BASE_URL;
      const token = settings.AMOCRM_TOKEN;
      if (!url || !token) return null;
      warnPlainHttp('AMOCRM_BASE_URL', url, 'the token');
      return new AmoCrmAdapter({
        baseUrl: url,
        token,
        rps: settings.AMOCRM_RPS,
        config: amoCrmConfigOf(mapping.crm.amocrm),
        stageKeys: [...Object.values(mapping.deals.statusMap), mapping.deals.deletedStage],
        currency: mapping.deals.currency,
        metrics,
      });
    }
  }
}

/**
 * Prepares the CRM at start (CrmPort.prepare: e.g. amoCRM's custom fields and pipeline statuses). Something
 * in the CRM that Sverka cannot use (a CrmError CONFIGURATION, e.g. a field of the wrong type) stops the
 * start with that one message; a CRM that cannot be reached or refuses the credentials only warns — the
 * adapter prepares on first use, and /health/ready reports the CRM's state.
 */
@Injectable()
export class CrmPreparation implements OnApplicationBootstrap {
  private readonly log = new Logger('CrmModule');

  constructor(@Optional() @Inject(CRM_PORT) private readonly crm?: CrmPort | null) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.crm?.prepare) return;
    const pending = this.crm.prepare();
    try {
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<'slow'>((r) => (timer = setTimeout(() => r('slow'), PREPARE_WAIT_MS).unref()));
      const done = await Promise.race([pending.then(() => 'done' as const), slow]).finally(() => clearTimeout(timer));
      if (done === 'slow') {
        this.log.warn(`the CRM is still being prepared after ${PREPARE_WAIT_MS / 1000} s; the service starts meanwhile`);
        pending.catch((e: unknown) => this.log.warn(`the CRM could not be prepared (${describeError(e)}); it is prepared on first use`));
      }
    } catch (e) {
      if (e instanceof CrmError && e.code === CrmErrorCode.CONFIGURATION) throw new CrmStartError(e.message);
      this.log.warn(`the CRM could not be prepared at start (${describeError(e)}); it is prepared on first use`);
    }
  }
}

/** How long the start waits for CrmPort.prepare before going on without it. */
const PREPARE_WAIT_MS = 30_000;

/** The CRM is in a shape Sverka cannot use: the start is refused with this one-line message. */
export class CrmStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrmStartError';
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
    CrmPreparation,
  ],
  exports: [CRM_PORT],
})
export class CrmModule {}
