import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import { QUEUE_DATABASE_URL } from './queue.tokens.js';

export type QueueSendOptions = PgBoss.SendOptions;
export type QueueOptions = Omit<PgBoss.Queue, 'name'>;

export interface QueueJob<T> {
  id: string;
  name: string;
  data: T;
}

/**
 * The durable job queue on PostgreSQL (pg-boss, schema `pgboss`), shared by every instance.
 * Sync and reconciliation enqueue runs and record retries here; any instance's worker picks them up.
 * On shutdown workers stop taking jobs and in-flight jobs get up to 30 s to finish — in
 * `beforeApplicationShutdown`, i.e. before any module's `onApplicationShutdown` closes the database
 * pool those jobs write through (and, in the demo, before the embedded server stops).
 */
@Injectable()
export class QueueService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger(QueueService.name);
  private boss: PgBoss | null = null;
  private readonly created = new Set<string>();
  private stopping = false;

  constructor(@Inject(QUEUE_DATABASE_URL) private readonly url: string) {}

  async onModuleInit(): Promise<void> {
    this.boss = new PgBoss({
      connectionString: this.url,
      schema: 'pgboss',
      application_name: 'sverka-queue',
      max: 5,
      // Scheduling is done by @nestjs/schedule (a tick only enqueues); pg-boss's own cron is off.
      schedule: false,
    });
    this.boss.on('error', (err: Error) => {
      // pg-boss lets idle pool connections go after stop(); their close at database shutdown is not an error.
      if (this.stopping) this.log.debug(`queue connection closed after stop: ${err.message}`);
      else this.log.error(`queue error: ${err.message}`);
    });
    await this.boss.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.boss || this.stopping) return;
    this.stopping = true;
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
    this.boss = null;
  }

  private get pg(): PgBoss {
    if (!this.boss) throw new Error('the queue is not started');
    return this.boss;
  }

  /** Creates the queue once per process (idempotent across instances). */
  async createQueue(name: string, opts: QueueOptions = {}): Promise<void> {
    if (this.created.has(name)) return;
    const existing = await this.pg.getQueue(name);
    if (!existing) {
      try {
        await this.pg.createQueue(name, { name, ...opts });
      } catch (err) {
        // Another instance created it between our check and create.
        if (!(await this.pg.getQueue(name))) throw err;
      }
    }
    this.created.add(name);
  }

  async send<T extends object>(name: string, data: T, opts: QueueSendOptions = {}): Promise<string | null> {
    await this.createQueue(name);
    return this.pg.send(name, data, opts);
  }

  /**
   * Registers a worker. The handler gets one job at a time; a throw fails the job, which pg-boss
   * retries per the job's retry options.
   */
  async work<T extends object>(
    name: string,
    handler: (job: QueueJob<T>) => Promise<void>,
    opts: { pollingIntervalSeconds?: number } = {},
  ): Promise<string> {
    await this.createQueue(name);
    return this.pg.work<T>(
      name,
      { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 },
      async (jobs) => {
        for (const job of jobs) await handler({ id: job.id, name: job.name, data: job.data });
      },
    );
  }

  /** What became of a job: waiting, taken by a worker, ended, or unknown to the queue (archived or never sent). */
  async jobState(name: string, id: string): Promise<'pending' | 'active' | 'finished' | 'missing'> {
    const job = await this.pg.getJobById(name, id, { includeArchive: true });
    if (!job) return 'missing';
    if (job.state === 'created' || job.state === 'retry') return 'pending';
    if (job.state === 'active') return 'active';
    return 'finished';
  }

  async offWork(name: string): Promise<void> {
    if (this.boss) await this.boss.offWork(name);
  }

  /** Jobs waiting in a queue (created or retry, not yet active). */
  async queueSize(name: string): Promise<number> {
    await this.createQueue(name);
    return this.pg.getQueueSize(name);
  }
}
