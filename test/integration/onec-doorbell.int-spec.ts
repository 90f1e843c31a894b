import { createHmac } from 'node:crypto';
import { Global, Module, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ProblemFilter } from '../../src/common/http/problem.filter.js';
import { parseSettings, SETTINGS } from '../../src/config/settings.js';
import { FeedModule } from '../../src/feed/feed.module.js';
import type { FeedPullGate } from '../../src/feed/feed-pull-gate.js';
import { FEED_PULL_TRIGGER } from '../../src/feed/feed-pull.port.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { FeedPullService } from '../../src/sync/feed-pull.service.js';
import { SyncModule } from '../../src/sync/sync.module.js';

/**
 * `POST /api/v1/events/onec` over real HTTP (the feed module with its guard, controller and gate, a fake
 * pull): signature, time window and body checks, and coalescing of a doorbell storm.
 */
const SECRET = 'a-doorbell-secret-of-32-characters';
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

describe('1C doorbell endpoint', () => {
  let app: INestApplication;
  let url: string;
  let gate: FeedPullGate;
  let metrics: SverkaMetrics;
  let pulls: number;
  let release: (() => void) | null;
  let firstPullBlocks: boolean;

  beforeAll(async () => {
    metrics = new SverkaMetrics({ defaultMetrics: false });
    const settings = parseSettings(
      {
        ONEC_FEED_URL: 'http://127.0.0.1:9/bp30/hs/sverka',
        ONEC_FEED_SECRET: SECRET,
        SCHEDULER_ENABLED: 'false',
      },
      { mode: 'embedded' },
    );
    @Global()
    @Module({
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: SverkaMetrics, useValue: metrics },
      ],
      exports: [SETTINGS, SverkaMetrics],
    })
    class FakeGlobals {}
    // The pull is sync's (a sync run of its own): here a fake that counts, in place of the sync module.
    @Module({
      providers: [
        {
          provide: FeedPullService,
          useValue: {
            pull: async () => {
              pulls++;
              if (pulls === 1 && firstPullBlocks) await new Promise<void>((r) => (release = r));
            },
          },
        },
      ],
      exports: [FeedPullService],
    })
    class FakeSyncModule {}
    const mod = await Test.createTestingModule({
      imports: [FakeGlobals, FeedModule],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    })
      .overrideModule(SyncModule)
      .useModule(FakeSyncModule)
      .compile();
    app = mod.createNestApplication({ rawBody: true, logger: false });
    app.setGlobalPrefix('api/v1');
    await app.listen(0, '127.0.0.1');
    const addr = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${addr.port}/api/v1/events/onec`;
    gate = app.get(FEED_PULL_TRIGGER);
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    pulls = 0;
    release = null;
    firstPullBlocks = false;
  });

  async function ring(body: string, headers: Record<string, string> = {}) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sverka-Signature': sign(body), ...headers },
      body,
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: text ? JSON.parse(text) : null,
    };
  }

  it('accepts a signed doorbell with 202, pulls once and records the pending count', async () => {
    const body = JSON.stringify({ node: 'SVERKA', pending: 17, ts: now() });
    expect(await ring(body)).toMatchObject({ status: 202, body: { status: 'accepted' } });
    await gate.idle();
    expect(pulls).toBe(1);
    expect(await metrics.registry.getSingleMetricAsString('sverka_feed_pending')).toContain(
      'sverka_feed_pending 17',
    );
  });

  it.each([
    ['a wrong signature', { 'X-Sverka-Signature': sign('{}') }, 'the signature does not match'],
    ['an empty header', { 'X-Sverka-Signature': '' }, 'the X-Sverka-Signature header is missing'],
    [
      'a signature without sha256=',
      { 'X-Sverka-Signature': 'f'.repeat(64) },
      'the X-Sverka-Signature header is not sha256=<64 hex digits>',
    ],
  ])('refuses %s with 401 problem+json and does not pull', async (_name, headers, detail) => {
    const body = JSON.stringify({ node: 'SVERKA', pending: 1, ts: now() });
    const res = await ring(body, headers);
    expect(res).toMatchObject({ status: 401, body: { status: 401, title: 'Unauthorized', detail } });
    expect(res.type).toContain('application/problem+json');
    await gate.idle();
    expect(pulls).toBe(0);
  });

  it('refuses an old ts with 401 and does not pull', async () => {
    const body = JSON.stringify({ node: 'SVERKA', pending: 1, ts: now() - 301 });
    expect(await ring(body)).toMatchObject({
      status: 401,
      body: { detail: "ts is more than 300 s away from the server's clock" },
    });
    await gate.idle();
    expect(pulls).toBe(0);
  });

  it('refuses a signed malformed body with 400 and does not pull', async () => {
    const body = JSON.stringify({ node: 'SVERKA', pending: 'many', ts: now() });
    expect(await ring(body)).toMatchObject({
      status: 400,
      body: { status: 400, detail: 'pending must be a whole number ≥ 0' },
    });
    const notJson = '{"node": "SVERKA", "pending": 1, ';
    expect((await ring(notJson)).status).toBe(400);
    await gate.idle();
    expect(pulls).toBe(0);
  });

  it('refuses an unsigned body of another content type with 401', async () => {
    const body = JSON.stringify({ node: 'SVERKA', pending: 1, ts: now() });
    expect((await ring(body, { 'Content-Type': 'text/plain' })).status).toBe(401);
    await gate.idle();
    expect(pulls).toBe(0);
  });

  it('turns 100 doorbells within a pull into exactly two pulls', async () => {
    firstPullBlocks = true;
    const bodies = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ node: 'SVERKA', pending: i + 1, ts: now() }),
    );
    const first = await ring(bodies[0]);
    expect(first.status).toBe(202);
    while (pulls === 0) await new Promise((r) => setTimeout(r, 5)); // the first pull has started and waits
    const rest = await Promise.all(bodies.slice(1).map((b) => ring(b)));
    expect(rest.every((r) => r.status === 202)).toBe(true);
    expect(rest).toHaveLength(99);
    release!();
    await gate.idle();
    expect(pulls).toBe(2);
  });
});
