import { ChangeFeed, FeedProtocolError } from './change-feed.js';

const C = 'Catalog_Контрагенты';
const refs = (items: { ref: string }[]) => items.map((i) => i.ref);

describe('ChangeFeed (the fake 1C node of the SverkaFeed exchange plan)', () => {
  it('returns un-acknowledged registrations again under a new number', () => {
    const f = new ChangeFeed();
    f.register(C, 'A');
    f.register(C, 'B');
    const m1 = f.build(10);
    const m2 = f.build(10);
    expect([m1.messageNo, m2.messageNo]).toEqual([1, 2]);
    expect(refs(m2.items)).toEqual(['a', 'b']);
    expect(f.counters()).toEqual({ sentNo: 2, receivedNo: 0, pending: 2 });
  });

  it('keeps a change registered after the message was built when that message is acknowledged', () => {
    const f = new ChangeFeed();
    f.register(C, 'a');
    f.register(C, 'b');
    const m = f.build(10);
    f.register(C, 'b'); // written again while Sverka applies message 1
    f.register(C, 'c');
    expect(f.ack(m.messageNo)).toBe(1);
    expect(f.list()).toEqual([
      { set: C, ref: 'b', messageNo: null },
      { set: C, ref: 'c', messageNo: null },
    ]);
  });

  it('carries every registration of an unacknowledged message before new ones, whatever the limit', () => {
    const f = new ChangeFeed();
    for (const r of ['a', 'b', 'c']) f.register(C, r);
    expect(refs(f.build(2).items)).toEqual(['a', 'b']);
    f.register(C, '0'); // new, registered before the client asks again
    const m2 = f.build(2);
    expect(refs(m2.items)).toEqual(['a', 'b']);
    expect(m2.more).toBe(true);
    f.ack(m2.messageNo);
    const m3 = f.build(1);
    expect(refs(m3.items)).toEqual(['c']);
    // Acknowledging 3 must not drop '0', which no message has carried.
    f.ack(m3.messageNo);
    expect(refs(f.build(5).items)).toEqual(['0']);
  });

  it('acknowledges idempotently and refuses numbers never sent', () => {
    const f = new ChangeFeed();
    f.register(C, 'a');
    const m = f.build(10);
    expect(f.ack(m.messageNo)).toBe(1);
    expect(f.ack(m.messageNo)).toBe(1);
    expect(f.counters()).toEqual({ sentNo: 1, receivedNo: 1, pending: 0 });
    expect(() => f.ack(2)).toThrow(new FeedProtocolError('message 2 was never sent (the last is 1)'));
    expect(() => f.ack(0)).toThrow(FeedProtocolError);
  });

  it('counts registrations not yet sent', () => {
    const f = new ChangeFeed();
    f.register(C, 'a');
    f.build(10);
    f.register(C, 'b');
    expect(f.unsent()).toBe(1);
  });
});
