import { RequestWindow } from './request-window.js';

/** A fake clock: sleeping moves it. */
function fakeTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('RequestWindow (the client side of amoCRM’s 7 requests a second)', () => {
  it('lets 7 go at once, then each next one a window after the one 7 before it', async () => {
    const time = fakeTime();
    const w = new RequestWindow(7, 1050, time.now, time.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 22; i++) {
      await w.acquire();
      starts.push(time.now());
    }
    expect(starts.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(starts.slice(7, 14)).toEqual([1050, 1050, 1050, 1050, 1050, 1050, 1050]);
    expect(starts[21]).toBe(3150);
    // Never more than 7 starts within any window.
    for (let i = 7; i < starts.length; i++) expect(starts[i] - starts[i - 7]).toBeGreaterThanOrEqual(1050);
  });

  it('keeps the limit for concurrent callers (reserved in order) and spreads a paced caller evenly', async () => {
    const time = fakeTime();
    const w = new RequestWindow(7, 1000, time.now, time.sleep);
    const waits = await Promise.all(Array.from({ length: 15 }, () => w.acquire()));
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 2000]);
    const paced = new RequestWindow(7, 1000, time.now, time.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 10; i++) {
      await paced.acquire();
      starts.push(time.now());
      time.advance(200);
    }
    expect(starts).toEqual([2000, 2200, 2400, 2600, 2800, 3000, 3200, 3400, 3600, 3800]);
  });

  it('a timer that fires late pushes the next starts back: they never bunch up behind it', async () => {
    const time = fakeTime();
    let sleeps = 0;
    // The first wait overshoots by 500 ms, as a timer does on a busy event loop.
    const w = new RequestWindow(7, 1050, time.now, async (ms) => time.advance(ms + (++sleeps === 1 ? 500 : 0)));
    const starts: number[] = [];
    for (let i = 0; i < 22; i++) {
      await w.acquire();
      starts.push(time.now());
    }
    expect(starts.slice(7, 14)).toEqual([1550, 1550, 1550, 1550, 1550, 1550, 1550]);
    expect(starts[14]).toBe(2600);
    for (let i = 7; i < starts.length; i++) expect(starts[i] - starts[i - 7]).toBeGreaterThanOrEqual(1050);
  });

  it('after a 429 nothing starts before the pause ends', async () => {
    const time = fakeTime();
    const w = new RequestWindow(7, 1000, time.now, time.sleep);
    await w.acquire();
    w.pause(3000);
    expect(await w.acquire()).toBe(3000);
    expect(time.now()).toBe(3000);
  });
});
