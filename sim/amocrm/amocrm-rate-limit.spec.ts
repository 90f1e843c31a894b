import { AmoRateLimit } from './amocrm-rate-limit.js';

describe('AmoRateLimit', () => {
  let t = 0;
  const clock = () => t;
  beforeEach(() => {
    t = 0;
  });

  it('admits 7 requests in any one-second window, not 8', () => {
    const lim = new AmoRateLimit({}, clock);
    const first = Array.from({ length: 8 }, () => lim.admit());
    expect(first).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'limited']);
    t = 999;
    expect(lim.admit()).toBe('limited');
    t = 1000;
    expect(lim.admit()).toBe('ok');
  });

  it('lets a client paced at one request per 143 ms use the whole budget', () => {
    const lim = new AmoRateLimit({}, clock);
    const outcomes = new Set<string>();
    for (let i = 0; i < 70; i++) {
      t = i * 143;
      outcomes.add(lim.admit());
    }
    expect([...outcomes]).toEqual(['ok']);
  });

  it('blocks the account after repeated refusals until support lifts it', () => {
    const lim = new AmoRateLimit({ rps: 1, blockAfter: 3, blockWindowSec: 60 }, clock);
    expect([lim.admit(), lim.admit(), lim.admit(), lim.admit()]).toEqual([
      'ok',
      'limited',
      'limited',
      'limited',
    ]);
    expect(lim.blocked).toBe(true);
    t = 3_600_000;
    expect(lim.admit()).toBe('blocked');
    lim.unblock();
    expect(lim.admit()).toBe('ok');
  });

  it('forgets refusals older than the abuse window; a timed block ends by itself', () => {
    const lim = new AmoRateLimit({ rps: 1, blockAfter: 2, blockWindowSec: 10, blockForSec: 30 }, clock);
    expect([lim.admit(), lim.admit()]).toEqual(['ok', 'limited']);
    t = 11_000;
    expect([lim.admit(), lim.admit()]).toEqual(['ok', 'limited']);
    expect(lim.admit()).toBe('limited');
    expect(lim.blocked).toBe(true);
    t = 41_001;
    expect(lim.admit()).toBe('ok');
  });
});
