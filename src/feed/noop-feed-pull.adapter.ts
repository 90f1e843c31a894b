import { Logger } from '@nestjs/common';
import type { FeedPull } from './feed-pull.port.js';

/**
 * The FEED_PULL placeholder until sync provides the real pull (fetch the message, plan and apply,
 * ack): it does nothing but say so once, so doorbells and polls are accepted and coalesced meanwhile.
 */
export class NoopFeedPull implements FeedPull {
  private readonly log = new Logger('FeedPull');
  private said = false;

  async pull(): Promise<void> {
    if (this.said) return;
    this.said = true;
    this.log.warn('a change feed pull was requested, but no feed pull is wired yet: nothing is read');
  }
}
