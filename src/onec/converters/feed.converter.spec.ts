import { simMapping } from '../../../sim/mapping.js';
import { feedSetIndex } from '../feed/feed-sets.js';
import { convertFeedAck, convertFeedChanges, convertFeedState, FeedEnvelopeError } from './feed.converter.js';
import { fixture } from './fixtures.util.js';

const sets = feedSetIndex(simMapping());

describe('convertFeedChanges (golden fixtures test/fixtures/onec/*/feed.changes.*)', () => {
  it('reads a message: entity by set, refs lower-cased, versions trimmed, deletions without a version', () => {
    expect(convertFeedChanges(fixture('ok', 'feed.changes.json'), sets)).toEqual(
      fixture('ok', 'feed.changes.expected.json'),
    );
  });

  it('reports each unreadable item with its position and keeps the readable ones', () => {
    expect(convertFeedChanges(fixture('not-ok', 'feed.changes.json'), sets)).toEqual(
      fixture('not-ok', 'feed.changes.expected.json'),
    );
  });

  it.each([
    ['not an object', [], 'the answer is not a JSON object'],
    ['no messageNo', { items: [] }, 'messageNo is not a whole number ≥ 1'],
    ['messageNo 0', { messageNo: 0, items: [] }, 'messageNo is not a whole number ≥ 1'],
    ['messageNo as text', { messageNo: '42', items: [] }, 'messageNo is not a whole number ≥ 1'],
    ['fractional messageNo', { messageNo: 4.5, items: [] }, 'messageNo is not a whole number ≥ 1'],
    ['items not a list', { messageNo: 3, items: {} }, 'items is not a list'],
    ['more not a boolean', { messageNo: 3, items: [], more: 'yes' }, 'more is not a boolean'],
  ])('refuses a broken envelope (%s): nothing of it may be acknowledged', (_name, raw, message) => {
    expect(() => convertFeedChanges(raw, sets)).toThrow(new FeedEnvelopeError(message));
  });

  it('reads an empty message', () => {
    expect(convertFeedChanges({ messageNo: 1, items: [], more: false }, sets)).toEqual({
      messageNo: 1,
      items: [],
      malformed: [],
      more: false,
    });
  });
});

describe('convertFeedState / convertFeedAck', () => {
  it('reads the counters', () => {
    expect(convertFeedState({ sentNo: 42, receivedNo: 41, pending: 17 })).toEqual({
      sentNo: 42,
      receivedNo: 41,
      pending: 17,
    });
    expect(convertFeedAck({ receivedNo: 42 })).toEqual({ receivedNo: 42 });
  });

  it.each([
    [{ sentNo: 1, receivedNo: 0 }, 'pending is not a whole number ≥ 0'],
    [{ sentNo: -1, receivedNo: 0, pending: 0 }, 'sentNo is not a whole number ≥ 0'],
    ['{}', 'the answer is not a JSON object'],
  ])('refuses a broken state %j', (raw, message) => {
    expect(() => convertFeedState(raw)).toThrow(new FeedEnvelopeError(message));
  });

  it('refuses a broken ack answer', () => {
    expect(() => convertFeedAck({ receivedNo: null })).toThrow(
      new FeedEnvelopeError('receivedNo is not a whole number ≥ 0'),
    );
  });
});
