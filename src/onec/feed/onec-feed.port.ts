import type { MalformedRecord, OneCEntity } from '../onec.types.js';

export const ONEC_FEED_PORT = Symbol('OneCFeedPort');

/** Items per message when the caller names no limit (the protocol's default). */
export const DEFAULT_FEED_LIMIT = 1000;
/** The largest `limit` the SverkaFeed extension accepts. */
export const MAX_FEED_LIMIT = 10_000;

/** One registered change: a record of a synced set that was written or deleted since it was last acknowledged. */
export interface OneCFeedItem {
  entity: OneCEntity;
  /** The OData entity set, e.g. `Catalog_Контрагенты`. */
  set: string;
  /** `Ref_Key`, lower case. */
  ref: string;
  /** `DataVersion` when the message was built; null for a physically deleted record. */
  dataVersion: string | null;
  /** The record no longer exists in 1C (deleted, not just deletion-marked). */
  deleted: boolean;
}

/**
 * One message of the change feed (docs/protocols/onec-change-feed.md): every registration not yet
 * acknowledged, up to the limit. Asking again without an ack returns the same items under a new number.
 */
export interface OneCFeedMessage {
  messageNo: number;
  items: OneCFeedItem[];
  /** Items the client could not read: reported, never dropped silently. The message may still be acked. */
  malformed: MalformedRecord[];
  /** More registrations wait beyond this message's limit: pull again after the ack. */
  more: boolean;
}

/** The feed's counters on the 1C node: last message built, last acknowledged, registrations waiting. */
export interface OneCFeedState {
  sentNo: number;
  receivedNo: number;
  pending: number;
}

/**
 * The 1C change feed of the SverkaFeed extension (`ONEC_FEED_URL`, `…/hs/sverka`). Implemented by the
 * HTTP adapter (src/onec/feed/onec-feed.adapter.ts). Every method throws OneCError after the adapter's own
 * retries (a busy feed, 409, is retried like a 5xx). One consumer at a time: a message is built under a
 * lock on the 1C side, and `ack(n)` removes every registration delivered in messages up to `n`.
 */
export interface OneCFeedPort {
  /** Builds the next message (`GET /changes?limit=`); `limit` 1 … MAX_FEED_LIMIT, default DEFAULT_FEED_LIMIT. */
  changes(limit?: number): Promise<OneCFeedMessage>;
  /** Acknowledges every message up to `messageNo` (`POST /ack`); repeating it is harmless. */
  ack(messageNo: number): Promise<{ receivedNo: number }>;
  /** `GET /state`: cheap, builds no message; safe to call any time. */
  state(): Promise<OneCFeedState>;
}
