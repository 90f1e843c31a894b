import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SETTINGS, type Settings } from '../config/settings.js';
import { FEED_PULL_TRIGGER, type FeedPullTrigger } from './feed-pull.port.js';

/**
 * With ONEC_FEED_URL set and schedules on: asks for a feed pull once at start (catching up after
 * downtime) and then every ONEC_FEED_POLL_SECONDS, so a lost doorbell only delays a change. Only asks:
 * the gate coalesces with doorbells, and the pull itself keeps one sync at a time.
 */
@Injectable()
export class FeedPollScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(FeedPollScheduler.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(FEED_PULL_TRIGGER) private readonly trigger: FeedPullTrigger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.SCHEDULER_ENABLED || !this.settings.ONEC_FEED_URL) return;
    const seconds = this.settings.ONEC_FEED_POLL_SECONDS;
    this.timer = setInterval(() => this.trigger.request(), seconds * 1000);
    this.timer.unref();
    this.log.log(`change feed: polling every ${seconds} s, and at once on a 1C doorbell`);
    this.trigger.request();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
