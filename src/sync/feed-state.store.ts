import type { DataSource } from 'typeorm';
import { FEED_NODE } from '../feed/feed.constants.js';
import { feedLagSeconds } from '../feed/feed-lag.util.js';
import type { OneCFeedState } from '../onec/feed/onec-feed.port.js';

interface FeedStateRow {
  sent_no: string | null;
  received_no: string | null;
  pending: number | null;
  state_at: Date | null;
  caught_up_at: Date | null;
  last_pull_at: Date | null;
  last_pull_run_id: string | null;
  last_pull_error: string | null;
  last_acked_no: string | null;
  last_acked_at: Date | null;
}

/** The change feed as `GET /api/v1/sync/status` shows it. */
export interface FeedStatus {
  /** How often the feed is pulled when no doorbell rings (ONEC_FEED_POLL_SECONDS). */
  pollSeconds: number;
  /** When a pull last asked 1C (whether or not anything was waiting). */
  lastPullAt: string | null;
  /** The feed run of that pull (null when nothing was waiting). */
  lastPullRunId: string | null;
  /** Why that pull failed (null when it did not). */
  lastPullError: string | null;
  /** The last message Sverka acknowledged, and when. */
  lastAckedMessageNo: number | null;
  lastAckedAt: string | null;
  /** 1C's counters as last read (`GET /state`, at `stateAt`): last message built, last acknowledged, changes waiting. */
  sentNo: number | null;
  receivedNo: number | null;
  pending: number | null;
  stateAt: string | null;
  /** Seconds since the feed was last seen caught up (0 while it is), as `sverka_feed_lag_seconds`. */
  lagSeconds: number;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** SQL of `onec_feed_state`: one row per exchange-plan node, written by pulls and feed runs on any instance. */
export class FeedStateStore {
  constructor(
    private readonly db: DataSource,
    private readonly node = FEED_NODE,
  ) {}

  /** What 1C said about its node (`GET /state`) at `at`; the feed counts as caught up while nothing waits. */
  async observed(state: OneCFeedState, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO onec_feed_state AS f (node, sent_no, received_no, pending, state_at, caught_up_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5, now())
       ON CONFLICT (node) DO UPDATE SET sent_no = EXCLUDED.sent_no, received_no = EXCLUDED.received_no,
         pending = EXCLUDED.pending, state_at = EXCLUDED.state_at,
         caught_up_at = CASE WHEN EXCLUDED.pending = 0 OR f.caught_up_at IS NULL THEN EXCLUDED.state_at ELSE f.caught_up_at END,
         updated_at = now()`,
      [this.node, state.sentNo, state.receivedNo, state.pending, at],
    );
  }

  /** A pull at `at`: the feed run it made (or null), and its error (null when it succeeded). */
  async pulled(at: Date, runId: string | null, error: string | null): Promise<void> {
    await this.db.query(
      `INSERT INTO onec_feed_state AS f (node, last_pull_at, last_pull_run_id, last_pull_error, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (node) DO UPDATE SET last_pull_at = EXCLUDED.last_pull_at, last_pull_run_id = EXCLUDED.last_pull_run_id,
         last_pull_error = EXCLUDED.last_pull_error, updated_at = now()`,
      [this.node, at, runId, error?.slice(0, 1000) ?? null],
    );
  }

  /** Message `messageNo` was acknowledged at `at`. */
  async acked(messageNo: number, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO onec_feed_state AS f (node, last_acked_no, last_acked_at, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (node) DO UPDATE SET last_acked_no = EXCLUDED.last_acked_no, last_acked_at = EXCLUDED.last_acked_at,
         updated_at = now()`,
      [this.node, messageNo, at],
    );
  }

  async status(pollSeconds: number, now = new Date()): Promise<FeedStatus> {
    const [r] = (await this.db.query(`SELECT * FROM onec_feed_state WHERE node = $1`, [
      this.node,
    ])) as FeedStateRow[];
    const pending = r?.pending ?? null;
    return {
      pollSeconds,
      lastPullAt: iso(r?.last_pull_at ?? null),
      lastPullRunId: r?.last_pull_run_id ?? null,
      lastPullError: r?.last_pull_error ?? null,
      lastAckedMessageNo: num(r?.last_acked_no ?? null),
      lastAckedAt: iso(r?.last_acked_at ?? null),
      sentNo: num(r?.sent_no ?? null),
      receivedNo: num(r?.received_no ?? null),
      pending,
      stateAt: iso(r?.state_at ?? null),
      lagSeconds:
        pending && r?.caught_up_at
          ? feedLagSeconds(new Date(r.caught_up_at).getTime(), pending, now.getTime())
          : 0,
    };
  }
}
