import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { describeError } from '../common/describe-error.js';
import { SETTINGS, type Settings } from '../config/settings.js';
import { SyncQueueService } from './sync-queue.service.js';
import { SyncRunnerService } from './sync-runner.service.js';
import { syncSlot } from './sync-slot.js';
import { scheduleRuns, unschedule } from '../runs/run-schedule.js';
import { ActiveRunError } from '../runs/run.types.js';

const JOB = 'sync';

/** With the change feed on, a scheduled scan that finds a sync active tries its slot again this often … */
export const SCAN_RETRY_MS = 5_000;
/** … for at most this long (feed runs take seconds; a long manual sync may take minutes). */
export const SCAN_WAIT_MS = 60 * 60_000;
/**
 * With the feed on, a base no version scan has finished on yet (a first install) gets its first load this
 * long after the start — not at the next SYNC_FULL_SCAN_CRON — so that other instances (and a first sync
 * started by hand) come first.
 */
export const FIRST_SCAN_DELAY_MS = 60_000;

/**
 * The scheduled version scan, in SCHEDULE_TZ (off when SCHEDULER_ENABLED=false): every SYNC_CRON, or —
 * with the 1C change feed on (ONEC_FEED_URL) — once a day at SYNC_FULL_SCAN_CRON as a safety net for what
 * the feed cannot bring (changes made while the extension was off, a lost registration), SYNC_CRON then
 * unused. A tick only enqueues a run for its slot; the UNIQUE slot gives exactly one run per slot across
 * instances, the partial unique index never two runs at once.
 *
 * With the feed on, feed runs hold the sync slot often, so a tick that finds one active is not dropped:
 * it tries again every SCAN_RETRY_MS (for up to SCAN_WAIT_MS), and meanwhile `scanWaiting` asks this
 * instance's feed pulls to step aside so that the scan gets the slot. A base never scanned gets its first
 * load FIRST_SCAN_DELAY_MS after the start (the feed only names what changes).
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SyncScheduler.name);
  /** The schedule in use: SYNC_FULL_SCAN_CRON with the feed on, SYNC_CRON otherwise. */
  readonly cron: string;
  private readonly feedOn: boolean;
  private waiting = 0;
  private stopped = false;
  /** Waits of ticks that retry their slot (ended at shutdown). */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly registry: SchedulerRegistry,
    private readonly queue: SyncQueueService,
    @Optional() private readonly runner?: SyncRunnerService | null,
  ) {
    this.feedOn = !!settings.ONEC_FEED_URL;
    this.cron = this.feedOn ? settings.SYNC_FULL_SCAN_CRON : settings.SYNC_CRON;
  }

  /** A scheduled scan waits for the sync slot (feed pulls let it go first). */
  get scanWaiting(): boolean {
    return this.waiting > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.settings.SCHEDULER_ENABLED) return;
    scheduleRuns(this.registry, JOB, this.cron, this.settings.SCHEDULE_TZ, () => this.tick());
    this.log.log(
      this.feedOn
        ? `the 1C change feed is on: the version scan runs as a daily safety net, "${this.cron}" (SYNC_FULL_SCAN_CRON) in ${this.settings.SCHEDULE_TZ}; SYNC_CRON is not used`
        : `sync scheduled: "${this.cron}" in ${this.settings.SCHEDULE_TZ}`,
    );
    if (this.feedOn) void this.sleep(FIRST_SCAN_DELAY_MS).then(() => this.firstScan());
  }

  /** With the feed on: the first load when no version scan has finished yet (none of its kind since). */
  async firstScan(): Promise<void> {
    const runner = this.runner;
    if (!runner || this.stopped) return;
    await this.enqueue(null, 'the first load', () => runner.store.scanFinished());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const [t, wake] of this.timers) {
      clearTimeout(t);
      wake();
    }
    this.timers.clear();
    unschedule(this.registry, JOB);
  }

  async tick(now = new Date()): Promise<void> {
    const slot = syncSlot(this.cron, this.settings.SCHEDULE_TZ, now);
    await this.enqueue(slot, `scheduled sync for ${slot.toISOString()}`);
  }

  /**
   * Enqueues a scheduled scan; with the feed on, one that finds a sync active waits for the slot (see the
   * class). `done` (checked before each try) ends the wait when the scan is no longer needed.
   */
  private async enqueue(slot: Date | null, what: string, done?: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + SCAN_WAIT_MS;
    let waited = false;
    try {
      for (;;) {
        if (done && (await done())) return;
        try {
          const run = await this.queue.enqueue({ trigger: 'schedule', slot });
          this.log.log(`${what}: run ${run.id} (${run.status})`);
          return;
        } catch (e) {
          if (!(e instanceof ActiveRunError)) throw e;
          if (!this.feedOn || this.stopped || Date.now() >= deadline) {
            this.log.warn(`${what} not started: run ${e.activeRunId} is active`);
            return;
          }
          if (!waited) {
            waited = true;
            this.waiting++;
            this.log.log(`${what} waits for sync run ${e.activeRunId} to end`);
          }
          await this.sleep(SCAN_RETRY_MS);
        }
      }
    } catch (e) {
      this.log.error(`${what} could not be enqueued: ${describeError(e)}`);
    } finally {
      if (waited) this.waiting--;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.timers.set(t, resolve);
    });
  }
}
