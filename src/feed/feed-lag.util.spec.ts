import { feedLagSeconds } from './feed-lag.util.js';

describe('feedLagSeconds', () => {
  it('is 0 while nothing waits', () => {
    expect(feedLagSeconds(1_000, 0, 99_000)).toBe(0);
  });

  it('counts whole seconds since the feed was last caught up', () => {
    expect(feedLagSeconds(1_000, 3, 12_999)).toBe(11);
  });

  it('never goes below 0 when clocks step back', () => {
    expect(feedLagSeconds(10_000, 3, 9_000)).toBe(0);
  });
});
