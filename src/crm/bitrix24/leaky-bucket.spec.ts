import { LeakyBucket, portalLimiter, resetPortalLimiters } from './leaky-bucket.js';

function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    slept,
  };
}

describe('LeakyBucket', () => {
  it('lets a full burst through at once, then paces at rps', async () => {
    const t = fakeTime();
    const b = new LeakyBucket(2, 5, t.clock, t.sleep);
    for (let i = 0; i < 5; i++) expect(await b.acquire()).toBe(0);
    expect(await b.acquire()).toBeCloseTo(500);
    expect(await b.acquire()).toBeCloseTo(500);
    t.advance(10_000);
    expect(b.current()).toBe(0);
  });

  it('reserves slots for concurrent waiters (FIFO spacing 1/rps)', async () => {
    let now = 0;
    const waits: number[] = [];
    const b = new LeakyBucket(
      4,
      1,
      () => now,
      async (ms) => {
        waits.push(ms);
      },
    );
    await Promise.all([b.acquire(), b.acquire(), b.acquire()]);
    expect(waits.map((w) => Math.round(w))).toEqual([250, 500]);
    now = 1000;
    expect(b.current()).toBeCloseTo(0);
  });

  it('saturate() fills the bucket after a 503', async () => {
    const t = fakeTime();
    const b = new LeakyBucket(2, 10, t.clock, t.sleep);
    b.saturate();
    expect(await b.acquire()).toBeCloseTo(500);
  });

  it('one bucket per portal origin for the whole process', () => {
    resetPortalLimiters();
    const a = portalLimiter('https://a.bitrix24.ru/rest/1/s1/', 2, 50);
    expect(portalLimiter('https://a.bitrix24.ru/rest/7/other/', 2, 50)).toBe(a);
    expect(portalLimiter('https://b.bitrix24.ru/rest/1/s1/', 2, 50)).not.toBe(a);
    portalLimiter('https://a.bitrix24.ru/rest/1/s1/', 5, 250);
    expect(a.settings).toEqual({ rps: 5, capacity: 250 });
    resetPortalLimiters();
  });
});
