import { jest } from '@jest/globals';
import { FeedPullGate } from './feed-pull-gate.js';

describe('FeedPullGate', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function fakePull(ms: number) {
    const starts: number[] = [];
    const pull = async () => {
      starts.push(Date.now());
      await new Promise((r) => setTimeout(r, ms));
    };
    return { starts, pull };
  }

  it('turns 100 doorbells in a second into two pulls: one at once, one after the storm', async () => {
    const { starts, pull } = fakePull(50);
    const gate = new FeedPullGate({ pull });
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) {
      gate.request();
      await jest.advanceTimersByTimeAsync(9); // 100 requests within 0.9 s
    }
    await jest.advanceTimersByTimeAsync(5000);
    expect(gate.pulls).toBe(2);
    expect(starts.map((t) => t - t0)).toEqual([0, 1000]);
  });

  it('gives one pull for a burst within one tick', async () => {
    const { pull } = fakePull(50);
    const gate = new FeedPullGate({ pull });
    for (let i = 0; i < 100; i++) gate.request();
    await jest.advanceTimersByTimeAsync(5000);
    expect(gate.pulls).toBe(1);
  });

  it('never runs the pull inside request() and never more than one at a time', async () => {
    let running = 0;
    let most = 0;
    const gate = new FeedPullGate({
      minIntervalMs: 0,
      pull: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
      },
    });
    gate.request();
    expect(gate.pulls).toBe(0);
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(10);
      gate.request();
    }
    await jest.advanceTimersByTimeAsync(1000);
    expect(most).toBe(1);
    // Pulls at 0, 30, 60, 90 and 120 ms: requests during a pull (10 … 100 ms) leave one more due each time.
    expect(gate.pulls).toBe(5);
  });

  it('keeps going after a failed pull and reports the error', async () => {
    const errors: unknown[] = [];
    let n = 0;
    const gate = new FeedPullGate({
      pull: async () => {
        if (++n === 1) throw new Error('1C is down');
      },
      onError: (e) => errors.push(e),
    });
    gate.request();
    await jest.advanceTimersByTimeAsync(10);
    gate.request();
    await jest.advanceTimersByTimeAsync(2000);
    expect(n).toBe(2);
    expect(errors).toEqual([new Error('1C is down')]);
  });

  it('after close() takes no more requests and lets the running pull finish', async () => {
    const { pull } = fakePull(100);
    const gate = new FeedPullGate({ pull });
    gate.request();
    await jest.advanceTimersByTimeAsync(1);
    gate.request();
    const closed = gate.close();
    gate.request();
    await jest.advanceTimersByTimeAsync(200);
    await closed;
    expect(gate.pulls).toBe(1);
  });

  it('a busy pull (the sync slot is taken) is tried again after the busy wait, until the slot is free', async () => {
    const starts: number[] = [];
    let busyFor = 3;
    const gate = new FeedPullGate({
      busyRetryMs: 2000,
      pull: async () => {
        starts.push(Date.now());
        return busyFor-- > 0 ? { busy: true } : { pending: 0 };
      },
    });
    const t0 = Date.now();
    gate.request();
    await jest.advanceTimersByTimeAsync(20_000);
    expect(starts.map((t) => t - t0)).toEqual([0, 2000, 4000, 6000]);
  });

  it('a pull that left more waiting (`again`) is followed by one more after the least interval', async () => {
    const starts: number[] = [];
    let more = 2;
    const gate = new FeedPullGate({
      pull: async () => {
        starts.push(Date.now());
        return { again: more-- > 0 };
      },
    });
    const t0 = Date.now();
    gate.request();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(starts.map((t) => t - t0)).toEqual([0, 1000, 2000]);
  });
});
