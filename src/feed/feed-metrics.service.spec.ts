import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { FeedMetricsService } from './feed-metrics.service.js';

describe('FeedMetricsService', () => {
  async function gauges(m: SverkaMetrics) {
    const value = async (name: string) => (await m.registry.getSingleMetric(name)!.get()).values[0]?.value;
    return { pending: await value('sverka_feed_pending'), lag: await value('sverka_feed_lag_seconds') };
  }

  it('sets pending and the seconds since the feed was last caught up', async () => {
    const m = new SverkaMetrics({ defaultMetrics: false });
    const s = new FeedMetricsService(m);
    s.observe(0, 1_000_000);
    expect(await gauges(m)).toEqual({ pending: 0, lag: 0 });
    s.observe(12, 1_030_000);
    expect(await gauges(m)).toEqual({ pending: 12, lag: 30 });
    s.observe(3, 1_090_500);
    expect(await gauges(m)).toEqual({ pending: 3, lag: 90 });
    s.observe(0, 1_100_000);
    expect(await gauges(m)).toEqual({ pending: 0, lag: 0 });
  });

  it('works without metrics (the service may run without the metrics module)', () => {
    expect(() => new FeedMetricsService().observe(5)).not.toThrow();
  });
});
