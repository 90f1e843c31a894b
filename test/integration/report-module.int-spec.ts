import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { parseSettings, SETTINGS } from '../../src/config/settings.js';
import { createDataSource } from '../../src/database/data-source.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { MAILER_PORT, type MailerPort } from '../../src/report/mailer.port.js';
import { ReportDeliveryService } from '../../src/report/report-delivery.service.js';
import { ReportRenderer } from '../../src/report/report-renderer.js';
import {
  SAMPLE_RUN_ID,
  sampleClusters,
  sampleDiscrepancies,
  sampleRun,
} from '../../src/report/report-sample.js';
import { ReportModule } from '../../src/report/report.module.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * ReportModule wired by Nest as the app wires it: global SETTINGS, the TypeORM DataSource and
 * SverkaMetrics come from outside; the module brings the mailer, the SQL ReportSource and its services.
 */
describe('ReportModule in Nest', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase('reportmod');
    ds = await createDataSource(db.url).initialize();
    await ds.runMigrations();
    const run = sampleRun();
    await ds.query(
      `INSERT INTO reconciliation_run (id, status, trigger, summary, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [run.id, run.status, run.trigger, JSON.stringify(run.summary), run.startedAt, run.finishedAt],
    );
    for (const d of sampleDiscrepancies())
      await ds.query(
        `INSERT INTO discrepancy (run_id, kind, entity, severity, onec_ref, crm_id, field, onec_value, crm_value, detail) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
        [
          run.id,
          d.kind,
          d.entity,
          d.severity,
          d.onecRef,
          d.crmId,
          d.field,
          d.onecValue,
          d.crmValue,
          d.detail,
        ],
      );
    for (const c of sampleClusters())
      await ds.query(
        `INSERT INTO duplicate_cluster (run_id, scope, score, members, reasons) VALUES ($1,$2,$3,$4,$5)`,
        [run.id, c.scope, c.score, JSON.stringify(c.members), JSON.stringify(c.reasons)],
      );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('resolves ReportRenderer and ReportDeliveryService; delivers through MAILER_PORT and counts it', async () => {
    const settings = parseSettings(
      {
        REPORT_FROM: 'sverka@example.ru',
        REPORT_TO: 'lead@example.ru',
        SMTP_URL: 'smtps://u:p@127.0.0.1:1',
        REPORT_LOCALE: 'en',
      },
      { mode: 'embedded' },
    );
    const metrics = new SverkaMetrics({ defaultMetrics: false });
    @Global()
    @Module({
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: DataSource, useValue: ds },
        { provide: SverkaMetrics, useValue: metrics },
      ],
      exports: [SETTINGS, DataSource, SverkaMetrics],
    })
    class Globals {}

    const sent: string[] = [];
    const fake: MailerPort = {
      configured: true,
      send: async (m) => {
        sent.push(m.subject);
        return { messageId: '<x@example.ru>' };
      },
      compose: async () => Buffer.from(''),
    };
    const mod = await Test.createTestingModule({ imports: [Globals, ReportModule] })
      .overrideProvider(MAILER_PORT)
      .useValue(fake)
      .compile();
    const renderer = mod.get(ReportRenderer);
    const delivery = mod.get(ReportDeliveryService);
    const html = await renderer.renderForRun(SAMPLE_RUN_ID, 'html');
    expect(html?.body).toContain('Found 15 discrepancies');
    expect(await delivery.deliver(SAMPLE_RUN_ID)).toMatchObject({
      outcome: 'sent',
      messageId: '<x@example.ru>',
    });
    expect(sent).toEqual(['Reconciliation 1C ↔ CRM 28.11.2026: 15 discrepancies']);
    expect((await metrics.reportEmails.get()).values).toEqual([
      expect.objectContaining({ labels: { outcome: 'sent' }, value: 1 }),
    ]);
    await mod.close();
  });

  it('the real mailer is built from SETTINGS (SMTP_URL) without network at start', async () => {
    const settings = parseSettings(
      { SMTP_URL: 'smtp://user:secret@mail.example.ru:587' },
      { mode: 'embedded' },
    );
    @Global()
    @Module({
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: DataSource, useValue: ds },
      ],
      exports: [SETTINGS, DataSource],
    })
    class Globals2 {}
    const mod = await Test.createTestingModule({ imports: [Globals2, ReportModule] }).compile();
    const mailer = mod.get<MailerPort>(MAILER_PORT);
    expect(mailer.configured).toBe(true);
    await mod.close();
  });
});
