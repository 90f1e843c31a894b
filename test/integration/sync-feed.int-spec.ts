import { jest } from '@jest/globals';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import { createOneCFeedPort, createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { FeedPullService } from '../../src/sync/feed-pull.service.js';
import { SyncFindingsReader } from '../../src/sync/sync-findings.reader.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import type { SyncRunRow } from '../../src/sync/sync-store.js';
import type { SyncScheduler } from '../../src/sync/sync.scheduler.js';
import { generateDataset } from '../../sim/dataset/index.js';
import type { ODataRow } from '../../sim/onec/index.js';
import { refusingWritesOf } from '../factories/failing-crm.js';
import { crmWriteCount, startSyncHarness, type SyncHarness } from '../factories/sync-harness.js';
import { checkCrmAgainst1C } from '../factories/sync-verify.js';

jest.setTimeout(300_000);

const dataset = generateDataset({
  seed: 23,
  counterparties: 60,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
});

/**
 * Feed runs over real HTTP (the fake 1C's change feed and OData, the fake portal) and a real PostgreSQL:
 * a pull reads only what the feed names, runs it through the same plan and apply as a scan, and
 * acknowledges the message only when every item is written, skipped, flagged or dead-lettered; a message
 * that comes again is applied without a second write; a pull never writes beside another sync.
 */
describe('sync: pulls of the 1C change feed', () => {
  let h: SyncHarness;
  let settings: Settings;
  let onec: OneCPort;
  const scheduler = { scanWaiting: false };

  const runnerWith = (crm: CrmPort = h.crm) =>
    new SyncRunnerService(
      h.ds,
      h.mapping,
      onec,
      crm,
      null,
      null,
      null,
      createOneCFeedPort(settings, h.mapping),
    );
  const pullWith = (runner: SyncRunnerService, metrics?: SverkaMetrics) =>
    new FeedPullService(
      settings,
      runner,
      createOneCFeedPort(settings, h.mapping),
      scheduler as unknown as SyncScheduler,
      metrics,
    );
  const c1 = () => h.sims.onec.sim;
  const live = (set: 'counterparties' | 'contacts' | 'orders') =>
    c1()
      .rows(set)
      .filter((r) => !r.IsFolder && !r.DeletionMark && (set !== 'orders' || r.Posted)) as ODataRow[];
  const feedRuns = async () =>
    (await h.ds.query(`SELECT * FROM sync_run WHERE trigger = 'feed' ORDER BY created_at`)) as SyncRunRow[];
  const lastFeedRun = async () => (await feedRuns()).at(-1)!;
  const acks = () =>
    c1()
      .calls.filter((c) => c.method === 'POST' && c.path.endsWith('/hs/sverka/ack'))
      .map((c) => c.status);
  const scans = () => c1().calls.filter((c) => c.query.$select?.includes('DataVersion'));
  const linkOf = async (ref: string) =>
    (
      (await h.ds.query(`SELECT flagged_at, data_version FROM entity_link WHERE onec_ref = $1`, [ref])) as {
        flagged_at: Date | null;
        data_version: string | null;
      }[]
    )[0];
  const rename = (ref: unknown, suffix: string) => {
    const row = c1().get('counterparties', String(ref))!;
    c1().update('counterparties', String(ref), { Description: `${String(row.Description)} ${suffix}` });
  };

  beforeAll(async () => {
    h = await startSyncHarness(dataset);
    settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        ONEC_FEED_URL: h.sims.onec.feedUrl,
        ONEC_USER: h.sims.onec.user,
        ONEC_PASSWORD: h.sims.onec.password,
      },
      { mode: 'embedded' },
    );
    onec = createOneCPort(h.settings, h.mapping);
    expect((await runnerWith().runNow({ trigger: 'cli' })).status).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('applies what changed in 1C — renames, a new counterparty with its contact and order, a deletion mark, a deleted contact, a folder — and acknowledges the message', async () => {
    const cps = live('counterparties');
    const [a, b, c, marked] = cps;
    rename(a.Ref_Key, '(1)');
    rename(b.Ref_Key, '(1)');
    rename(c.Ref_Key, '(1)');
    const fresh = c1().add('counterparties', {
      ...cps[4],
      Ref_Key: undefined,
      Code: `${String(cps[4].Code)}N`,
      Description: 'Новый контрагент',
    });
    const freshRef = String(fresh.Ref_Key);
    const contactTemplate = live('contacts').find((p) =>
      String(p.ОбъектВладелец_Type).endsWith('Catalog_Контрагенты'),
    )!;
    const contact = c1().add('contacts', {
      ...contactTemplate,
      Ref_Key: undefined,
      Code: `${String(contactTemplate.Code)}N`,
      Фамилия: 'Новикова',
      ОбъектВладелец: freshRef,
    });
    const orderTemplate = live('orders').find((o) => h.mapping.deals.statusMap[String(o.Статус)])!;
    const order = c1().add('orders', {
      ...orderTemplate,
      Ref_Key: undefined,
      Number: `${String(orderTemplate.Number)}N`,
      Контрагент_Key: freshRef,
    });
    c1().markDeleted('counterparties', String(marked.Ref_Key));
    const [{ onec_ref: goneRef }] = (await h.ds.query(
      `SELECT onec_ref FROM entity_link WHERE entity = 'contacts' ORDER BY onec_ref LIMIT 1`,
    )) as { onec_ref: string }[];
    c1().remove('contacts', goneRef);
    const folder = c1()
      .rows('counterparties')
      .find((r) => r.IsFolder)!;
    c1().update('counterparties', String(folder.Ref_Key), { Description: 'Покупатели (папка)' });
    c1().clearCalls();
    h.sim.clearCalls();

    expect(await pullWith(runnerWith()).pull()).toEqual({ pending: 0, again: false });

    const run = await lastFeedRun();
    expect(run.status).toBe('succeeded');
    expect(run.feed).toEqual({
      messages: [{ messageNo: 1, items: 9, malformed: [], unsettled: 0, acked: true }],
    });
    expect(run.stats).toEqual({
      // 3 renamed, the new one, the marked one (flagged, counted unchanged), the folder (no counterparty: skipped)
      counterparties: {
        scanned: 6,
        created: 1,
        updated: 3,
        unchanged: 1,
        skipped: 1,
        failed: 0,
        linked: 0,
        held: 0,
      },
      // the new contact; the deleted one is flagged
      contacts: {
        scanned: 2,
        created: 1,
        updated: 0,
        unchanged: 0,
        skipped: 0,
        failed: 0,
        linked: 0,
        held: 0,
      },
      deals: { scanned: 1, created: 1, updated: 0, unchanged: 0, skipped: 0, failed: 0, linked: 0, held: 0 },
    });
    expect(await checkCrmAgainst1C(onec, h.sim)).toEqual({ duplicates: [], missing: [], wrong: [] });
    expect((await linkOf(String(marked.Ref_Key))).flagged_at).not.toBeNull();
    expect((await linkOf(goneRef)).flagged_at).not.toBeNull();
    expect((await linkOf(String(contact.Ref_Key))).data_version).toBe(contact.DataVersion);
    expect((await linkOf(String(order.Ref_Key))).data_version).toBe(order.DataVersion);
    expect(c1().feed.counters()).toEqual({ sentNo: 1, receivedNo: 1, pending: 0 });
    expect(acks()).toEqual([200]);
    // Only what the feed named was read: no version scan.
    expect(scans()).toEqual([]);
    const status = await runnerWith().feedState.status(60);
    expect(status).toMatchObject({
      lastAckedMessageNo: 1,
      lastPullRunId: run.id,
      lastPullError: null,
      pending: 0,
      sentNo: 1,
      receivedNo: 1,
      lagSeconds: 0,
    });
  });

  it('a message that comes again after a failure before its ack is applied without a second write, and acknowledged once', async () => {
    const cps = live('counterparties').slice(10, 14);
    for (const r of cps) rename(r.Ref_Key, '(2)');
    const added = [1, 2].map((i) =>
      c1().add('counterparties', {
        ...cps[0],
        Ref_Key: undefined,
        Code: `${String(cps[0].Code)}M${i}`,
        Description: `Новый ${i}`,
      }),
    );
    const failing = runnerWith();
    failing.hook = (point) => {
      if (point === 'before-feed-ack') throw new Error('stopped before the ack');
    };
    c1().clearCalls();
    await pullWith(failing).pull();
    const failed = await lastFeedRun();
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('stopped before the ack');
    expect(failed.feed).toEqual({
      messages: [{ messageNo: 2, items: 6, malformed: [], unsettled: 0, acked: false }],
    });
    expect(acks()).toEqual([]);
    expect(c1().feed.counters()).toEqual({ sentNo: 2, receivedNo: 1, pending: 6 });
    // Everything was written before the failure.
    expect(await checkCrmAgainst1C(onec, h.sim)).toEqual({ duplicates: [], missing: [], wrong: [] });

    h.sim.clearCalls();
    expect(await pullWith(runnerWith()).pull()).toEqual({ pending: 0, again: false });
    const again = await lastFeedRun();
    expect(again.status).toBe('succeeded');
    expect(again.feed).toEqual({
      messages: [{ messageNo: 3, items: 6, malformed: [], unsettled: 0, acked: true }],
    });
    expect(again.stats.counterparties).toEqual({
      scanned: 6,
      created: 0,
      updated: 0,
      unchanged: 6,
      skipped: 0,
      failed: 0,
      linked: 0,
      held: 0,
    });
    expect(crmWriteCount(h.sim)).toBe(0);
    expect(acks()).toEqual([200]);
    expect(c1().feed.counters()).toEqual({ sentNo: 3, receivedNo: 3, pending: 0 });
    expect(await checkCrmAgainst1C(onec, h.sim)).toEqual({ duplicates: [], missing: [], wrong: [] });
    for (const r of added) expect((await linkOf(String(r.Ref_Key))).data_version).toBe(r.DataVersion);
  });

  it('a record the CRM refuses keeps its message unacknowledged: deferred until its backoff, dead-lettered after 5 attempts, then acknowledged', async () => {
    const [refused, fine] = live('counterparties').slice(20, 22);
    const refusedRef = String(refused.Ref_Key);
    rename(refusedRef, '(3)');
    rename(fine.Ref_Key, '(3)');
    const runner = runnerWith(refusingWritesOf(h.crm, new Set([refusedRef])));
    const attempts = async () =>
      (
        (await h.ds.query(`SELECT attempts, dead FROM sync_item_failure WHERE onec_ref = $1`, [
          refusedRef,
        ])) as {
          attempts: number;
          dead: boolean;
        }[]
      )[0];
    const dueNow = () =>
      h.ds.query(
        `UPDATE sync_item_failure SET next_attempt_at = now() - interval '1 second' WHERE onec_ref = $1`,
        [refusedRef],
      );

    expect(await pullWith(runner).pull()).toEqual({ pending: 2, again: false });
    let run = await lastFeedRun();
    expect(run.status).toBe('partial');
    expect(run.feed!.messages).toEqual([
      { messageNo: 4, items: 2, malformed: [], unsettled: 1, acked: false },
    ]);
    expect(run.stats.counterparties).toEqual({
      scanned: 2,
      created: 0,
      updated: 1,
      unchanged: 0,
      skipped: 0,
      failed: 1,
      linked: 0,
      held: 0,
    });
    expect(await attempts()).toEqual({ attempts: 1, dead: false });

    // Before its backoff has passed the record is not tried; the rest of the message costs nothing.
    h.sim.clearCalls();
    expect(await pullWith(runner).pull()).toEqual({ pending: 2, again: false });
    run = await lastFeedRun();
    expect(run.status).toBe('succeeded');
    expect(run.feed!.messages).toEqual([
      { messageNo: 5, items: 2, malformed: [], unsettled: 1, acked: false },
    ]);
    expect(run.stats.counterparties).toEqual({
      scanned: 2,
      created: 0,
      updated: 0,
      unchanged: 1,
      skipped: 0,
      failed: 0,
      linked: 0,
      held: 0,
    });
    expect(crmWriteCount(h.sim)).toBe(0);
    expect(await attempts()).toEqual({ attempts: 1, dead: false });

    for (let attempt = 2; attempt <= 5; attempt++) {
      await dueNow();
      await pullWith(runner).pull();
      expect(await attempts()).toEqual({ attempts: attempt, dead: attempt === 5 });
    }
    run = await lastFeedRun();
    expect(run.feed!.messages).toEqual([
      { messageNo: 9, items: 2, malformed: [], unsettled: 0, acked: true },
    ]);
    expect(c1().feed.counters()).toEqual({ sentNo: 9, receivedNo: 9, pending: 0 });

    // 1C changes it again and the CRM takes it: the dead letter is cleared.
    rename(refusedRef, '(4)');
    expect(await pullWith(runnerWith()).pull()).toEqual({ pending: 0, again: false });
    expect(await attempts()).toBeUndefined();
    expect(await checkCrmAgainst1C(onec, h.sim)).toEqual({ duplicates: [], missing: [], wrong: [] });
  });

  it('never writes beside another sync: a pull waits while a sync is active or a scheduled scan waits for the slot', async () => {
    rename(live('counterparties')[30].Ref_Key, '(5)');
    const runner = runnerWith();
    const { run: scan } = await runner.create({ trigger: 'api' });
    const before = (await feedRuns()).length;
    c1().clearCalls();
    expect(await pullWith(runner).pull()).toEqual({ busy: true });
    expect((await feedRuns()).length).toBe(before);
    // Not even 1C was asked.
    expect(c1().calls).toEqual([]);
    await runner.execute(scan.id);

    scheduler.scanWaiting = true;
    expect(await pullWith(runner).pull()).toEqual({ busy: true });
    scheduler.scanWaiting = false;

    // The scan applied the change; the feed's message only needs its ack.
    h.sim.clearCalls();
    expect(await pullWith(runner).pull()).toEqual({ pending: 0, again: false });
    const run = await lastFeedRun();
    expect(run.stats.counterparties).toEqual({
      scanned: 1,
      created: 0,
      updated: 0,
      unchanged: 1,
      skipped: 0,
      failed: 0,
      linked: 0,
      held: 0,
    });
    expect(crmWriteCount(h.sim)).toBe(0);
    expect(await checkCrmAgainst1C(onec, h.sim)).toEqual({ duplicates: [], missing: [], wrong: [] });
  });

  it('a pull with nothing waiting in 1C makes no run, reads nothing but the state, and counts as a successful sync of every entity', async () => {
    const before = (await feedRuns()).length;
    const metrics = new SverkaMetrics({ defaultMetrics: false });
    c1().clearCalls();
    const at = Math.floor(Date.now() / 1000);
    expect(await pullWith(runnerWith(), metrics).pull()).toEqual({ pending: 0 });
    expect((await feedRuns()).length).toBe(before);
    expect(c1().calls.map((c) => `${c.method} ${c.path.replace(/^.*\/hs\/sverka/, '')}`)).toEqual([
      'GET /state',
    ]);
    // A quiet 1C is not a stale sync: the scan runs once a day with the feed on.
    const gauge = (
      await metrics.registry.getSingleMetric('sverka_sync_last_success_timestamp_seconds')!.get()
    ).values;
    expect(gauge.map((v) => v.labels.entity).sort()).toEqual(['contacts', 'counterparties', 'deals']);
    for (const v of gauge) expect(v.value).toBeGreaterThanOrEqual(at);
    const last = await new SyncFindingsReader(runnerWith().store.db).lastSuccess();
    for (const e of ['counterparties', 'contacts', 'deals'])
      expect(last.get(e)!.getTime()).toBeGreaterThanOrEqual(at * 1000);
  });
});
