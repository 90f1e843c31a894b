import type { OneCFeedItem, OneCFeedMessage, OneCFeedState } from '../feed/onec-feed.port.js';
import type { MalformedRecord, OneCEntity } from '../onec.types.js';
import { EMPTY_GUID, isRow } from './odata-row.js';

/**
 * Reading the change feed's JSON (docs/protocols/onec-change-feed.md). A broken envelope (no usable
 * `messageNo`, `items` not a list) throws FeedEnvelopeError: nothing of such a message may be
 * acknowledged. A broken item becomes a MalformedRecord of the message, never an exception and never a
 * silent skip.
 */

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export class FeedEnvelopeError extends Error {}

/** Which canonical entity each OData entity set of the feed stands for (from the mapping). */
export type FeedSetIndex = ReadonlyMap<string, OneCEntity>;

/** A counter of the 1C node: a whole number ≥ 0 (≥ 1 for a message number). */
function counter(value: unknown, name: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new FeedEnvelopeError(`${name} is not a whole number ≥ ${min}`);
  return value;
}

/** `GET /changes` → a message; items of unknown sets or with unreadable fields are reported as malformed. */
export function convertFeedChanges(raw: unknown, sets: FeedSetIndex): OneCFeedMessage {
  if (!isRow(raw)) throw new FeedEnvelopeError('the answer is not a JSON object');
  const messageNo = counter(raw.messageNo, 'messageNo', 1);
  if (!Array.isArray(raw.items)) throw new FeedEnvelopeError('items is not a list');
  if (raw.more !== undefined && typeof raw.more !== 'boolean')
    throw new FeedEnvelopeError('more is not a boolean');
  const items: OneCFeedItem[] = [];
  const malformed: MalformedRecord[] = [];
  raw.items.forEach((item: unknown, i: number) => {
    const read = convertFeedItem(item, sets);
    if ('reason' in read) malformed.push({ ...read, reason: `items[${i}]: ${read.reason}` });
    else items.push(read);
  });
  return { messageNo, items, malformed, more: raw.more === true };
}

/** One item → a feed item, or the reason it cannot be read. */
export function convertFeedItem(item: unknown, sets: FeedSetIndex): OneCFeedItem | MalformedRecord {
  if (!isRow(item)) return { entity: 'feed', ref: null, reason: 'item is not a JSON object' };
  const set = typeof item.set === 'string' ? item.set : null;
  const entity = set === null ? undefined : sets.get(set);
  const refText = typeof item.ref === 'string' ? item.ref.trim() : null;
  const ref = refText && GUID.test(refText) ? refText.toLowerCase() : null;
  const bad = (reason: string): MalformedRecord => ({ entity: entity ?? set ?? 'feed', ref, reason });
  if (set === null) return bad('set is missing');
  if (!entity) return bad(`set ${set} is not a synced entity set of the mapping`);
  if (item.ref === undefined || item.ref === null) return bad('ref is missing');
  if (!ref) return bad('ref is not a GUID');
  if (ref === EMPTY_GUID) return bad('ref is the empty GUID');
  if (typeof item.deleted !== 'boolean') return bad('deleted is not a boolean');
  const version = item.dataVersion;
  if (version !== undefined && version !== null && typeof version !== 'string')
    return bad('dataVersion is not a string');
  const dataVersion = typeof version === 'string' && version.trim() ? version.trim() : null;
  if (!item.deleted && dataVersion === null) return bad('dataVersion is missing for a record that exists');
  return { entity, set, ref, dataVersion: item.deleted ? null : dataVersion, deleted: item.deleted };
}

/** `GET /state` → the node's counters. */
export function convertFeedState(raw: unknown): OneCFeedState {
  if (!isRow(raw)) throw new FeedEnvelopeError('the answer is not a JSON object');
  return {
    sentNo: counter(raw.sentNo, 'sentNo'),
    receivedNo: counter(raw.receivedNo, 'receivedNo'),
    pending: counter(raw.pending, 'pending'),
  };
}

/** `POST /ack` → the node's acknowledged number. */
export function convertFeedAck(raw: unknown): { receivedNo: number } {
  if (!isRow(raw)) throw new FeedEnvelopeError('the answer is not a JSON object');
  return { receivedNo: counter(raw.receivedNo, 'receivedNo') };
}
