import pg from 'pg';
import type { DataSource } from 'typeorm';
import { advisoryKey } from '../database/advisory-lock.js';

/**
 * Server-side TCP keepalive of the lease connection: when the owner's host vanishes without closing
 * the socket (power loss, network cut), PostgreSQL drops the connection — and with it the lock — after
 * about idle + interval × count = 5 + 2 × 3 = 11 s instead of the system default of two hours.
 */
const KEEPALIVE_SQL =
  'SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3';

/** The advisory-lock key of a run (one key space per kind). */
export function runLockKey(kind: string, runId: string): string {
  return advisoryKey(`run:${kind}:${runId}`);
}

/**
 * The owner's hold on one run: a session-level advisory lock on a connection of its own (outside the
 * pool, so no query of the run can ever release it). While the lock is held the run is alive for every
 * other instance; when the process dies, PostgreSQL closes the connection and frees the lock.
 */
export class RunLease {
  private client: pg.Client | null = null;
  private broken = false;

  private constructor(
    private readonly url: string,
    readonly key: string,
  ) {}

  /** Takes the lock; null when another session holds it (another worker is executing this run). */
  static async acquire(ds: DataSource, key: string): Promise<RunLease | null> {
    const url = (ds.options as { url?: string }).url;
    if (!url) throw new Error('run leases need the database URL');
    const lease = new RunLease(url, key);
    return (await lease.lock()) ? lease : null;
  }

  private async lock(): Promise<boolean> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'sverka-run-lease',
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    });
    // An idle connection that dies (database restart) emits 'error': the lease is then broken, not the process.
    client.on('error', () => {
      this.broken = true;
    });
    client.on('end', () => {
      this.broken = true;
    });
    try {
      await client.connect();
      await client.query(KEEPALIVE_SQL);
      const res = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1::bigint) AS locked',
        [this.key],
      );
      if (!res.rows[0]?.locked) {
        await client.end().catch(() => undefined);
        return false;
      }
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    this.broken = false;
    return true;
  }

  /**
   * Whether the lock is still held. A lease whose connection broke (the database restarted) tries to take
   * the lock again on a new connection: it succeeds only if no other instance has taken the run meanwhile
   * (the caller then also checks the run row). Never throws.
   */
  async check(): Promise<boolean> {
    if (this.client && !this.broken) {
      try {
        await this.client.query('SELECT 1');
        return true;
      } catch {
        this.broken = true;
      }
    }
    await this.client?.end().catch(() => undefined);
    this.client = null;
    try {
      return await this.lock();
    } catch {
      return false;
    }
  }

  /** Releases the lock (closing the connection releases it too). */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    try {
      if (!this.broken) await client.query('SELECT pg_advisory_unlock($1::bigint)', [this.key]);
    } catch {
      // The connection is gone: so is the lock.
    }
    await client.end().catch(() => undefined);
  }
}
