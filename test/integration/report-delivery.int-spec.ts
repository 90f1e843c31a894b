import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { DataSource } from 'typeorm';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { createDataSource } from '../../src/database/data-source.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import type {
  DiscrepancyItem,
  DuplicateCluster,
  ReconciliationRunView,
} from '../../src/reconcile/reconcile.types.js';
import { NodemailerMailerAdapter } from '../../src/report/nodemailer-mailer.adapter.js';
import { ReportDeliveryService } from '../../src/report/report-delivery.service.js';
import { ReportRenderer } from '../../src/report/report-renderer.js';
import { discrepancyKey } from '../../src/report/report-model.js';
import { reportStrings } from '../../src/report/report-i18n.js';
import {
  SAMPLE_PREVIOUS_ID,
  SAMPLE_RAW_CONTACTS,
  SAMPLE_RUN_ID,
  sampleClusters,
  sampleDiscrepancies,
  samplePreviousItems,
  samplePreviousRun,
  sampleRun,
} from '../../src/report/report-sample.js';
import { ReconcileResultsReader as PgReportSource } from '../../src/reconcile/reconcile-results.reader.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The report e-mail end to end: reconciliation rows in a real PostgreSQL, the report rendered from
 * them, sent by nodemailer to a real SMTP server in this process (smtp-server), parsed back with
 * mailparser.
 */

const SMTP_PASSWORD = 'Sm7p-S3cret!pass';
const RECIPIENTS = 'quality.lead@example.ru, anna.petrova@example.ru';

interface Received {
  raw: Buffer;
  from: string | undefined;
  to: string[];
  secure: boolean;
}

interface TestSmtp {
  url: (opts?: { secret?: boolean }) => string;
  received: Received[];
  close(): Promise<void>;
}

async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // smtp-server's built-in self-signed certificate for STARTTLS.
    onAuth: (auth, _session, cb) =>
      auth.username === 'sverka' && auth.password === SMTP_PASSWORD
        ? cb(null, { user: 'sverka' })
        : cb(new Error('Invalid username or password')),
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          raw: Buffer.concat(chunks),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
        });
        cb();
      });
    },
    logger: false,
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: (o = {}) =>
      `smtp://${o.secret === false ? '' : `sverka:${encodeURIComponent(SMTP_PASSWORD)}@`}127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function insertRun(
  ds: DataSource,
  run: ReconciliationRunView,
  items: DiscrepancyItem[],
  clusters: DuplicateCluster[],
) {
  await ds.query(
    `INSERT INTO reconciliation_run (id, status, trigger, summary, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      run.id,
      run.status,
      run.trigger,
      run.summary ? JSON.stringify(run.summary) : null,
      run.startedAt,
      run.finishedAt,
    ],
  );
  for (const d of items)
    await ds.query(
      `INSERT INTO discrepancy (run_id, kind, entity, severity, onec_ref, crm_id, field, onec_value, crm_value, detail,
                                name, inn, crm_url, onec_url, onec_label, crm_label)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
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
        d.name,
        d.inn,
        d.crmUrl,
        d.onecUrl,
        d.onecLabel,
        d.crmLabel,
      ],
    );
  for (const c of clusters)
    await ds.query(
      `INSERT INTO duplicate_cluster (run_id, scope, score, members, reasons) VALUES ($1, $2, $3, $4, $5)`,
      [run.id, c.scope, c.score, JSON.stringify(c.members), JSON.stringify(c.reasons)],
    );
}

/** A fresh copy of the sample run under a new id (so each test has its own run). */
async function newRun(
  ds: DataSource,
  id: string,
  over: Partial<ReconciliationRunView> = {},
): Promise<ReconciliationRunView> {
  const run = sampleRun({ id, ...over });
  await insertRun(ds, run, sampleDiscrepancies(), sampleClusters());
  return run;
}

describe('report e-mail delivery over real SMTP', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let outbox: string;
  const sleeps: number[] = [];

  function services(env: Record<string, string>, opts: { tls?: boolean; metrics?: SverkaMetrics } = {}) {
    const settings: Settings = parseSettings(
      {
        REPORT_FROM: 'Sverka <sverka@example.ru>',
        REPORT_TO: RECIPIENTS,
        PUBLIC_URL: 'https://sverka.example.ru',
        GRAFANA_URL: 'https://grafana.example.ru/d/sverka',
        ...env,
      },
      { mode: 'embedded' },
    );
    const mailer = new NodemailerMailerAdapter({
      smtpUrl: settings.SMTP_URL,
      allowInsecure: settings.SMTP_ALLOW_INSECURE,
      // smtp-server's certificate is self-signed; everything else about TLS is real.
      tls: opts.tls === false ? undefined : { rejectUnauthorized: false },
      timeoutMs: 5000,
    });
    const metrics = opts.metrics ?? new SverkaMetrics({ defaultMetrics: false });
    const renderer = new ReportRenderer(new PgReportSource(ds), settings);
    const delivery = new ReportDeliveryService(renderer, mailer, ds, settings, metrics, {
      retryDelaysMs: [15, 30],
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    return { settings, mailer, metrics, renderer, delivery };
  }

  async function metricValue(metrics: SverkaMetrics, outcome: string): Promise<number> {
    const m = await metrics.reportEmails.get();
    return m.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  }

  async function deliveries(runId: string) {
    return (await ds.query(
      `SELECT attempt, outcome, recipients, message_id, outbox_file, error FROM report_delivery WHERE run_id = $1 ORDER BY id`,
      [runId],
    )) as {
      attempt: number;
      outcome: string;
      recipients: string[];
      message_id: string | null;
      outbox_file: string | null;
      error: string | null;
    }[];
  }

  beforeAll(async () => {
    db = await createTestDatabase('report');
    ds = await createDataSource(db.url).initialize();
    await ds.runMigrations();
    const prev = samplePreviousRun();
    await insertRun(ds, prev, samplePreviousItems(), []);
    await insertRun(ds, sampleRun(), sampleDiscrepancies(), sampleClusters());
    outbox = await mkdtemp(join(tmpdir(), 'sverka-outbox-'));
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    if (outbox) await rm(outbox, { recursive: true, force: true });
  });

  describe('a server with STARTTLS and AUTH', () => {
    let smtp: TestSmtp;
    let mail: ParsedMail;
    let raw: string;
    let svc: ReturnType<typeof services>;
    beforeAll(async () => {
      smtp = await startSmtp();
      svc = services({ SMTP_URL: smtp.url(), REPORT_OUTBOX_DIR: outbox });
      const result = await svc.delivery.deliver(SAMPLE_RUN_ID, new Date('2026-11-28T03:08:00Z'));
      expect(result).toMatchObject({ outcome: 'sent', attempts: 1 });
      expect(smtp.received).toHaveLength(1);
      raw = smtp.received[0].raw.toString('utf8');
      mail = await simpleParser(smtp.received[0].raw);
    });
    afterAll(async () => {
      svc?.mailer.onModuleDestroy();
      await smtp?.close();
    });

    it('arrives over TLS at every recipient with the right subject', () => {
      expect(smtp.received[0].secure).toBe(true);
      expect(smtp.received[0].to).toEqual(['quality.lead@example.ru', 'anna.petrova@example.ru']);
      expect(mail.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: 15 расхождений, 4 новых');
      expect(mail.messageId).toBe(`<sverka-report-${SAMPLE_RUN_ID}@example.ru>`);
    });

    it('has both parts and the CSV attachment (BOM, Cyrillic) whose numbers equal the run summary', async () => {
      expect(mail.text).toContain('Найдено 15 расхождений, из них 4 новых');
      expect(mail.html).toContain('Итоги по проверкам');
      expect(mail.html).not.toMatch(/<script|<img/i);
      expect(mail.attachments).toHaveLength(1);
      const csv = mail.attachments[0];
      expect(csv.filename).toBe('sverka-rashozhdeniya-2026-11-28.csv');
      expect(csv.contentType).toBe('text/csv');
      expect([...csv.content.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(csv.content.toString('utf8').slice(1), {
        delimiter: ';',
        from_line: 2,
      }) as string[][];
      // The «Тип» column holds the kind in words (the report's section titles).
      const kindOf = new Map(Object.entries(reportStrings('ru').kinds).map(([k, words]) => [words, k]));
      const byKind: Record<string, number> = {};
      for (const r of rows) {
        const kind = kindOf.get(r[0]) ?? `unknown: ${r[0]}`;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      }
      const [run] = (await ds.query(`SELECT summary FROM reconciliation_run WHERE id = $1`, [
        SAMPLE_RUN_ID,
      ])) as { summary: { discrepancies: Record<string, number> } }[];
      expect(byKind).toEqual(run.summary.discrepancies);
      expect(csv.content.toString('utf8')).toContain('Поле «Название» различается');
    });

    it('no unmasked phone or e-mail and no secret anywhere in the raw message', async () => {
      const decoded = [
        raw,
        mail.text ?? '',
        mail.html || '',
        mail.attachments[0].content.toString('utf8'),
      ].join('\n');
      for (const v of SAMPLE_RAW_CONTACTS) expect(decoded).not.toContain(v);
      expect(decoded).not.toMatch(/\+7\d{10}/);
      expect(decoded).not.toContain(SMTP_PASSWORD);
      expect(decoded).not.toContain(encodeURIComponent(SMTP_PASSWORD));
      // Recipients appear in the To header only (that is where they belong), never in the body.
      expect([mail.text, mail.html, mail.attachments[0].content.toString('utf8')].join('\n')).not.toContain(
        'quality.lead@example.ru',
      );
    });

    it('leaves one `sent` row with masked recipients, the metric, and the .eml in the outbox', async () => {
      const rows = await deliveries(SAMPLE_RUN_ID);
      expect(rows).toEqual([
        {
          attempt: 1,
          outcome: 'sent',
          recipients: ['q***@example.ru', 'a***@example.ru'],
          message_id: `<sverka-report-${SAMPLE_RUN_ID}@example.ru>`,
          outbox_file: join(outbox, `2026-11-28-${SAMPLE_RUN_ID}.eml`),
          error: null,
        },
      ]);
      expect(await metricValue(svc.metrics, 'sent')).toBe(1);
      const eml = await readFile(join(outbox, `2026-11-28-${SAMPLE_RUN_ID}.eml`));
      const parsed = await simpleParser(eml);
      expect(parsed.subject).toBe(mail.subject);
      expect(parsed.messageId).toBe(mail.messageId);
      expect(parsed.attachments[0].content.equals(mail.attachments[0].content)).toBe(true);
      for (const v of SAMPLE_RAW_CONTACTS) expect(eml.toString('utf8')).not.toContain(v);
    });

    it('sends a run once: a second deliver() is already_sent and sends nothing', async () => {
      expect(await svc.delivery.deliver(SAMPLE_RUN_ID)).toMatchObject({ outcome: 'already_sent' });
      expect(smtp.received).toHaveLength(1);
    });

    it('two instances delivering the same run at once send exactly one e-mail', async () => {
      const id = '11111111-2222-4333-8444-555555555555';
      await newRun(ds, id);
      const a = services({ SMTP_URL: smtp.url() });
      const b = services({ SMTP_URL: smtp.url() });
      const before = smtp.received.length;
      const results = await Promise.all([
        a.delivery.deliver(id),
        b.delivery.deliver(id),
        a.delivery.deliver(id),
      ]);
      expect(results.filter((r) => r.outcome === 'sent')).toHaveLength(1);
      expect(results.every((r) => ['sent', 'busy', 'already_sent'].includes(r.outcome))).toBe(true);
      expect(smtp.received.length - before).toBe(1);
      expect((await deliveries(id)).filter((r) => r.outcome === 'sent')).toHaveLength(1);
      a.mailer.onModuleDestroy();
      b.mailer.onModuleDestroy();
    });
  });

  it('a refusing server: retries with backoff, then a failed row; the run stays as it was', async () => {
    const id = '22222222-3333-4444-8555-666666666666';
    await newRun(ds, id);
    const [before] = await ds.query(
      `SELECT status, summary, finished_at FROM reconciliation_run WHERE id = $1`,
      [id],
    );
    const smtp = await startSmtp({
      onRcptTo: (_a, _s, cb) =>
        cb(
          Object.assign(new Error('Mailbox quality.lead@example.ru unavailable, try later'), {
            responseCode: 451,
          }),
        ),
    });
    const svc = services({ SMTP_URL: smtp.url() });
    sleeps.length = 0;
    try {
      const result = await svc.delivery.deliver(id);
      expect(result).toMatchObject({ outcome: 'failed', attempts: 3 });
      expect(sleeps).toEqual([15, 30]);
      expect(smtp.received).toHaveLength(0);
      const rows = await deliveries(id);
      expect(rows.map((r) => [r.attempt, r.outcome])).toEqual([
        [1, 'retrying'],
        [2, 'retrying'],
        [3, 'failed'],
      ]);
      for (const r of rows) {
        expect(r.error).toMatch(/451|unavailable/);
        expect(r.error).not.toContain('quality.lead@example.ru');
        expect(r.error).not.toContain(SMTP_PASSWORD);
      }
      expect(await metricValue(svc.metrics, 'failed')).toBe(1);
      expect(await metricValue(svc.metrics, 'sent')).toBe(0);
      const [after] = await ds.query(
        `SELECT status, summary, finished_at FROM reconciliation_run WHERE id = $1`,
        [id],
      );
      expect(after).toEqual(before);
      expect(after.status).toBe('succeeded');
    } finally {
      svc.mailer.onModuleDestroy();
      await smtp.close();
    }
  });

  it('a server that refuses the data: the same, and a later deliver() may send it', async () => {
    const id = '33333333-4444-4555-8666-777777777777';
    await newRun(ds, id);
    let refuse = true;
    const received: Buffer[] = [];
    const smtp = await startSmtp({
      onData: (stream, _s, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (refuse)
            return cb(Object.assign(new Error('Message rejected by policy'), { responseCode: 554 }));
          received.push(Buffer.concat(chunks));
          cb();
        });
      },
    });
    const svc = services({ SMTP_URL: smtp.url() });
    try {
      expect(await svc.delivery.deliver(id)).toMatchObject({ outcome: 'failed', attempts: 3 });
      refuse = false;
      expect(await svc.delivery.deliver(id)).toMatchObject({ outcome: 'sent', attempts: 1 });
      expect(received).toHaveLength(1);
      expect((await deliveries(id)).map((r) => r.outcome)).toEqual([
        'retrying',
        'retrying',
        'failed',
        'sent',
      ]);
    } finally {
      svc.mailer.onModuleDestroy();
      await smtp.close();
    }
  });

  describe('TLS is required unless SMTP_ALLOW_INSECURE=true', () => {
    let smtp: TestSmtp;
    beforeAll(async () => {
      smtp = await startSmtp({ hideSTARTTLS: true, disabledCommands: ['STARTTLS', 'AUTH'] });
    });
    afterAll(async () => smtp?.close());

    it('smtp:// to a server without STARTTLS is refused by us (nothing sent in clear)', async () => {
      const id = '44444444-5555-4666-8777-888888888888';
      await newRun(ds, id);
      const svc = services({ SMTP_URL: smtp.url({ secret: false }), SMTP_ALLOW_INSECURE: 'false' });
      const result = await svc.delivery.deliver(id);
      svc.mailer.onModuleDestroy();
      expect(result.outcome).toBe('failed');
      expect(result.error).toMatch(/STARTTLS|TLS/i);
      expect(smtp.received).toHaveLength(0);
    });

    it('with SMTP_ALLOW_INSECURE=true the same server gets the report', async () => {
      const id = '55555555-6666-4777-8888-999999999999';
      await newRun(ds, id);
      const svc = services({ SMTP_URL: smtp.url({ secret: false }), SMTP_ALLOW_INSECURE: 'true' });
      const result = await svc.delivery.deliver(id);
      svc.mailer.onModuleDestroy();
      expect(result.outcome).toBe('sent');
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0].secure).toBe(false);
    });
  });

  it('without SMTP_URL, REPORT_OUTBOX_DIR alone writes the .eml once', async () => {
    const id = '66666666-7777-4888-8999-aaaaaaaaaaaa';
    await newRun(ds, id);
    const dir = join(outbox, 'only');
    const svc = services({ REPORT_OUTBOX_DIR: dir });
    expect(await svc.delivery.deliver(id)).toMatchObject({ outcome: 'outbox_only' });
    expect(await svc.delivery.deliver(id)).toMatchObject({ outcome: 'already_sent' });
    expect(await readdir(dir)).toEqual([`2026-11-28-${id}.eml`]);
    const parsed = await simpleParser(await readFile(join(dir, `2026-11-28-${id}.eml`)));
    expect(parsed.subject).toBe('Сверка 1С ↔ CRM 28.11.2026: 15 расхождений, 4 новых');
    expect(parsed.html).toContain('Итоги по проверкам');
    expect(parsed.text).toContain('Найдено 15 расхождений');
  });

  it('a failed run is reported as failed, never as all clear', async () => {
    const id = '77777777-8888-4999-8aaa-bbbbbbbbbbbb';
    await insertRun(ds, sampleRun({ id, status: 'failed', summary: null }), [], []);
    const dir = join(outbox, 'failed');
    const svc = services({ REPORT_OUTBOX_DIR: dir, REPORT_LOCALE: 'en' });
    await svc.delivery.deliver(id);
    const parsed = await simpleParser(await readFile(join(dir, `2026-11-28-${id}.eml`)));
    expect(parsed.subject).toBe('Reconciliation 1C ↔ CRM 28.11.2026: RUN FAILED');
  });

  it('catch-up: deliverPending sends scheduled or requested reports that never went out, once', async () => {
    const at = (iso: string) => ({ startedAt: iso.replace('T03:07', 'T03:00'), finishedAt: iso });
    const scheduled = 'a0000000-0000-4000-8000-000000000001';
    const apiNoReport = 'a0000000-0000-4000-8000-000000000002';
    const apiTooFresh = 'a0000000-0000-4000-8000-000000000003';
    await insertRun(
      ds,
      sampleRun({ id: scheduled, ...at('2026-12-05T03:07:00.000Z') }),
      sampleDiscrepancies(),
      [],
    );
    await insertRun(
      ds,
      sampleRun({ id: apiNoReport, trigger: 'api', ...at('2026-12-05T03:07:30.000Z') }),
      [],
      [],
    );
    await insertRun(
      ds,
      sampleRun({ id: apiTooFresh, trigger: 'api', ...at('2026-12-05T03:58:00.000Z') }),
      [],
      [],
    );
    await ds.query(`UPDATE reconciliation_run SET options = '{"report": true}' WHERE id = $1`, [apiTooFresh]);
    const svc = services({ REPORT_OUTBOX_DIR: join(outbox, 'catch-up') });
    const now = new Date('2026-12-05T04:00:00Z');
    const results = await svc.delivery.deliverPending(now);
    expect(results.map((r) => [r.runId, r.outcome])).toEqual([[scheduled, 'outbox_only']]);
    expect(await svc.delivery.deliverPending(now)).toEqual([]);
    // Later, past the grace period, the API run that asked for a report gets it.
    const later = await svc.delivery.deliverPending(new Date('2026-12-05T04:10:00Z'));
    expect(later.map((r) => [r.runId, r.outcome])).toEqual([[apiTooFresh, 'outbox_only']]);
  });

  it('renderForRun serves the same HTML and the CSV; unknown run → null; unfinished run → not delivered', async () => {
    const svc = services({ REPORT_OUTBOX_DIR: join(outbox, 'render') });
    const html = await svc.renderer.renderForRun(SAMPLE_RUN_ID, 'html');
    expect(html?.contentType).toBe('text/html; charset=utf-8');
    expect(html?.body).toContain('Итоги по проверкам');
    const csv = await svc.renderer.renderForRun(SAMPLE_RUN_ID, 'csv');
    expect(csv?.contentType).toBe('text/csv; charset=utf-8');
    expect((csv?.body as Buffer).subarray(0, 3).toString('hex')).toBe('efbbbf');
    expect(await svc.renderer.renderForRun('00000000-0000-4000-8000-000000000000', 'html')).toBeNull();
    expect(await svc.renderer.renderForRun('not-a-uuid', 'csv')).toBeNull();
    const id = '88888888-9999-4aaa-8bbb-cccccccccccc';
    await insertRun(ds, sampleRun({ id, status: 'running', finishedAt: null, summary: null }), [], []);
    expect(await svc.delivery.deliver(id)).toMatchObject({ outcome: 'not_finished' });
    // The previous run found through the database is the sample's previous run.
    expect((await new PgReportSource(ds).loadPrevious(SAMPLE_RUN_ID))?.id).toBe(SAMPLE_PREVIOUS_ID);
    // Keys built in SQL are the keys built in JS (they decide which items are "new").
    expect(new Set(await new PgReportSource(ds).loadDiscrepancyKeys(SAMPLE_PREVIOUS_ID))).toEqual(
      new Set(samplePreviousItems().map(discrepancyKey)),
    );
  });
});
