import type { Mapping } from '../../mapping/mapping.types.js';
import type { SverkaMetrics } from '../../metrics/sverka-metrics.js';
import {
  convertFeedAck,
  convertFeedChanges,
  convertFeedState,
  FeedEnvelopeError,
  type FeedSetIndex,
} from '../converters/feed.converter.js';
import { OneCError, OneCErrorCode } from '../onec.error.js';
import { FeedHttp } from './feed-http.js';
import { feedSetIndex } from './feed-sets.js';
import {
  DEFAULT_FEED_LIMIT,
  MAX_FEED_LIMIT,
  type OneCFeedMessage,
  type OneCFeedPort,
  type OneCFeedState,
} from './onec-feed.port.js';

export interface OneCFeedAdapterOptions {
  /** ONEC_FEED_URL: `{scheme}://{host}/{publication}/hs/sverka`. */
  baseUrl: string;
  user: string;
  password: string;
  mapping: Mapping;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  metrics?: SverkaMetrics;
}

/**
 * OneCFeedPort over the SverkaFeed extension's HTTP service (docs/protocols/onec-change-feed.md):
 * `GET changes?limit=`, `POST ack {messageNo}`, `GET state`, native fetch through FeedHttp.
 */
export class OneCFeedAdapter implements OneCFeedPort {
  readonly http: FeedHttp;
  private readonly sets: FeedSetIndex;

  constructor(opts: OneCFeedAdapterOptions) {
    this.http = new FeedHttp(opts);
    this.sets = feedSetIndex(opts.mapping);
  }

  async changes(limit = DEFAULT_FEED_LIMIT): Promise<OneCFeedMessage> {
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_FEED_LIMIT)
      throw new RangeError(`limit must be a whole number from 1 to ${MAX_FEED_LIMIT}`);
    const raw = await this.http.json('GET', 'changes', { query: { limit } });
    return read('changes', () => convertFeedChanges(raw, this.sets));
  }

  async ack(messageNo: number): Promise<{ receivedNo: number }> {
    if (!Number.isSafeInteger(messageNo) || messageNo < 1)
      throw new RangeError('messageNo must be a whole number ≥ 1');
    const raw = await this.http.json('POST', 'ack', { body: { messageNo } });
    return read('ack', () => convertFeedAck(raw));
  }

  async state(): Promise<OneCFeedState> {
    const raw = await this.http.json('GET', 'state');
    return read('state', () => convertFeedState(raw));
  }
}

/** A broken envelope is a protocol error of 1C's answer: BAD_RESPONSE, never retried. */
function read<T>(resource: string, convert: () => T): T {
  try {
    return convert();
  } catch (e) {
    if (e instanceof FeedEnvelopeError)
      throw new OneCError(OneCErrorCode.BAD_RESPONSE, `1C feed ${resource}: ${e.message}`);
    throw e;
  }
}
