import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { CRM_PORT, type CrmPort } from '../crm/crm.port.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';

/** Reachability of an outside system, reported on /health/ready without failing it. */
export interface Reachability {
  reachable: boolean;
  error?: string;
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(ONEC_PORT) private readonly onec?: OneCPort,
    @Optional() @Inject(CRM_PORT) private readonly crm?: CrmPort | null,
  ) {}

  /** The process is up. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready when the database answers. 1C and CRM reachability is reported in `info`/`details`
   * (`configured`: its settings are present; `reachable`: it answered a ping within 5 s) but never
   * fails readiness: the service can still serve results while a system is down.
   */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    const [onec, crm] = await Promise.all([
      probe(this.settings.ONEC_ODATA_URL ? this.onec : undefined),
      probe(this.crm ?? undefined),
    ]);
    const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 3000 })]);
    const state = (r: Reachability) => (r.reachable ? 'up' : 'down');
    return {
      ...result,
      info: { ...result.info, onec: { status: state(onec), ...onec }, crm: { status: state(crm), ...crm } },
    };
  }
}

async function probe(port?: { ping(): Promise<void> }): Promise<Reachability & { configured: boolean }> {
  if (!port) return { configured: false, reachable: false };
  try {
    await withTimeout(port.ping(), 5000);
    return { configured: true, reachable: true };
  } catch (err) {
    return { configured: true, reachable: false, error: describeError(err) };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);
}
