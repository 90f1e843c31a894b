import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { RunStatus } from '../common/vocabulary.js';
import { describeError } from '../common/describe-error.js';
import { judgeActiveRun, type JobState, type LivenessLimits } from './run-liveness.util.js';
import { RunLease } from './run-lease.js';
import { RunRepository, type CreateRunInput } from './run.repository.js';
import { ActiveRunError, RunLostError, type RunRowBase, type RunTableSpec } from './run.types.js';
import { RUN_HEARTBEAT_MS, RUN_LIVENESS_LIMITS } from './runs.constants.js';

/** Asks the queue what became of the job that carries a queued run. */
export type JobStateLookup = (queue: string, jobId: string) => Promise<JobState>;

export interface RunLifecycleOptions<Row extends RunRowBase = RunRowBase> {
  /** The kind's repository when it has reads of its own (default: a plain RunRepository). */
  repository?: RunRepository<Row>;
  /** This instance's name in `owner` (host:pid:random — unique even across restarts of one pid). */
  owner?: string;
  jobState?: JobStateLookup;
  limits?: LivenessLimits;
  heartbeatMs?: number;
  /** Called for every run this instance recovered (metrics, logs). */
  onRecovered?: (run: RunRowBase, reason: string) => void;
  warn?: (message: string) => void;
}

/** The owner's handle on a run it started: ownership checks, heartbeat, finish. */
export class RunHandle<Row extends RunRowBase> {
  private lostReason: string | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly run: Row,
    private readonly repo: RunRepository<Row>,
    private readonly lease: RunLease,
    readonly owner: string,
    heartbeatMs: number,
    private readonly progress: () => Record<string, unknown>,
  ) {
    this.timer = setInterval(() => void this.owned().catch(() => undefined), heartbeatMs);
    this.timer.unref();
  }

  get id(): string {
    return this.run.id;
  }

  /** Why ownership was lost (null while owned). */
  get lost(): string | null {
    return this.lostReason;
  }

  /**
   * Checks ownership now (the lock and the run row) and refreshes the heartbeat with the progress
   * columns. Returns false, and remembers why, once the run is no longer this instance's.
   */
  async owned(): Promise<boolean> {
    if (this.lostReason) return false;
    if (!(await this.lease.check())) {
      this.lostReason = 'its lock was lost (the database connection broke and another instance took the run)';
      return false;
    }
    let mine: boolean;
    try {
      mine = await this.repo.heartbeat(this.run.id, this.owner, this.progress());
    } catch (e) {
      // The database is unreachable: nothing can be written anyway; the next check decides.
      throw new Error(`ownership check of run ${this.run.id} failed: ${describeError(e)}`, { cause: e });
    }
    if (!mine) this.lostReason = 'another instance recovered it';
    return mine;
  }

  /** Throws RunLostError unless the run is still this instance's (a database round trip: call before each batch). */
  async check(): Promise<void> {
    if (!(await this.owned())) throw new RunLostError(this.run.id, this.lostReason!);
  }

  /** Throws RunLostError when a background check already found the run lost (no round trip). */
  assertOwned(): void {
    if (this.lostReason) throw new RunLostError(this.run.id, this.lostReason);
  }

  /** Stores the final status; false when the run was no longer this instance's. Releases the lock. */
  async finish(
    status: RunStatus,
    error: string | null,
    values: Record<string, unknown> = {},
  ): Promise<boolean> {
    clearInterval(this.timer);
    try {
      if (this.lostReason) return false;
      return await this.repo.finish(this.run.id, this.owner, status, error, values);
    } finally {
      await this.lease.release();
    }
  }

  /** Stops the heartbeat and releases the lock without finishing (the run was lost, or the process stops). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.lease.release();
  }
}

/**
 * One run lifecycle for every kind of run: create (by slot or idempotency key, at most one active),
 * start under a lease (an advisory lock on a connection of its own), ownership checks that a runner makes
 * before each batch of writes, finish by the owner only, and recovery of dead runs within seconds.
 */
export class RunLifecycle<Row extends RunRowBase> {
  readonly repo: RunRepository<Row>;
  readonly owner: string;
  private readonly limits: LivenessLimits;
  private readonly heartbeatMs: number;

  constructor(
    readonly db: DataSource,
    readonly spec: RunTableSpec,
    private readonly opts: RunLifecycleOptions<Row> = {},
  ) {
    this.repo = opts.repository ?? new RunRepository<Row>(db, spec);
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.limits = opts.limits ?? RUN_LIVENESS_LIMITS;
    this.heartbeatMs = opts.heartbeatMs ?? RUN_HEARTBEAT_MS;
  }

  /**
   * Creates a queued run. When another run is active, dead runs are recovered first and the create is
   * tried once more; a live active run → ActiveRunError naming it.
   */
  async create(input: CreateRunInput): Promise<{ run: Row; created: boolean }> {
    try {
      return await this.repo.create(input);
    } catch (e) {
      if (!(e instanceof ActiveRunError) || !(await this.recoverDead()).includes(e.activeRunId)) throw e;
      return this.repo.create(input);
    }
  }

  /**
   * Takes a queued run: the lease first, then queued → running. Null when another worker has it or it
   * is no longer queued. `progress` gives the payload columns written with each heartbeat.
   */
  async begin(
    runId: string,
    progress: () => Record<string, unknown> = () => ({}),
  ): Promise<RunHandle<Row> | null> {
    const lease = await RunLease.acquire(this.db, this.repo.lockKey(runId));
    if (!lease) return null;
    try {
      if (!(await this.repo.start(runId, this.owner))) {
        await lease.release();
        return null;
      }
      const run = (await this.repo.get(runId))!;
      return new RunHandle(run, this.repo, lease, this.owner, this.heartbeatMs, progress);
    } catch (e) {
      await lease.release();
      throw e;
    }
  }

  private async jobStateOf(run: Row): Promise<JobState> {
    if (!run.job_id) return 'missing';
    if (!this.opts.jobState) return 'unknown';
    try {
      return await this.opts.jobState(this.spec.queue, run.job_id);
    } catch {
      return 'unknown';
    }
  }

  /** Recovers the active run when it is dead (see judgeActiveRun); returns the ids recovered. */
  async recoverDead(now = new Date()): Promise<string[]> {
    const run = await this.repo.active();
    if (!run) return [];
    const verdict = judgeActiveRun(
      {
        status: run.status,
        createdAt: new Date(run.created_at),
        startedAt: run.started_at && new Date(run.started_at),
        heartbeatAt: run.heartbeat_at && new Date(run.heartbeat_at),
        jobState: run.status === 'queued' ? await this.jobStateOf(run) : 'active',
      },
      now,
      this.limits,
    );
    if (verdict.action === 'keep') return [];
    const reason =
      verdict.action === 'recover'
        ? verdict.reason
        : 'its instance stopped or lost the database (its lock was released)';
    const recovered = await this.repo.recover(run.id, `recovered: ${reason}`, {
      stalledBefore:
        verdict.action === 'recover' && run.status === 'running'
          ? new Date(now.getTime() - this.limits.stallAfterMs)
          : undefined,
    });
    if (!recovered) return [];
    this.opts.warn?.(`${this.spec.noun} ${run.id} recovered: ${reason}`);
    this.opts.onRecovered?.(recovered, reason);
    return [run.id];
  }
}
