import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { RunStatus, RunTrigger, SyncEntity } from '../common/vocabulary.js';
import type { FeedRunLog, SyncStats } from './sync-store.js';

/**
 * TypeORM views of the sync tables (migration 1764310000000-CreateSync). The runner and the stores
 * use SQL (batched jsonb statements); these entities serve repositories of other modules and tools.
 */

/** 1C record ↔ CRM record, with what sync last pushed. */
@Entity('entity_link')
export class EntityLink {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;
  @Column('text') entity!: SyncEntity;
  @Column({ name: 'onec_ref', type: 'text' }) onecRef!: string;
  @Column({ name: 'crm_id', type: 'text' }) crmId!: string;
  /** The 1C DataVersion last pushed completely (null: writes pending). */
  @Column({ name: 'data_version', type: 'text', nullable: true }) dataVersion!: string | null;
  @Column({ name: 'pushed_hash', type: 'text', nullable: true }) pushedHash!: string | null;
  @Column({ name: 'pushed_values', type: 'jsonb' }) pushedValues!: Record<string, string>;
  @Column({ name: 'flagged_at', type: 'timestamptz', nullable: true }) flaggedAt!: Date | null;
  @Column({ name: 'onec_seen_at', type: 'timestamptz', nullable: true }) onecSeenAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

@Entity('sync_run')
export class SyncRun {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') status!: RunStatus;
  @Column('text') trigger!: RunTrigger;
  @Column({ type: 'timestamptz', nullable: true }) slot!: Date | null;
  @Column({ name: 'full_sync', type: 'boolean' }) full!: boolean;
  @Column({ type: 'text', array: true }) entities!: SyncEntity[];
  @Column('jsonb') stats!: SyncStats;
  /** Feed runs (`trigger = 'feed'`): the 1C change-feed messages the run applied and acknowledged. */
  @Column({ type: 'jsonb', nullable: true }) feed!: FeedRunLog | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true }) heartbeatAt!: Date | null;
  @Column({ type: 'text', nullable: true }) owner!: string | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A record that failed: retried with backoff; `dead` after MAX_ATTEMPTS (reported as sync_failure). */
@Entity('sync_item_failure')
export class SyncItemFailure {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'run_id', type: 'uuid', nullable: true }) runId!: string | null;
  @Column('text') entity!: SyncEntity;
  @Column({ name: 'onec_ref', type: 'text' }) onecRef!: string;
  @Column({ name: 'data_version', type: 'text', nullable: true }) dataVersion!: string | null;
  @Column('int') attempts!: number;
  @Column({ name: 'last_error', type: 'text' }) lastError!: string;
  @Column('boolean') dead!: boolean;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** A field conflict of the `manual` strategy. */
@Entity('sync_conflict')
export class SyncConflict {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('text') entity!: SyncEntity;
  @Column({ name: 'onec_ref', type: 'text' }) onecRef!: string;
  @Column({ name: 'crm_id', type: 'text' }) crmId!: string;
  @Column('text') field!: string;
  @Column({ name: 'onec_value', type: 'text', nullable: true }) onecValue!: string | null;
  @Column({ name: 'crm_value', type: 'text', nullable: true }) crmValue!: string | null;
  @Column('text') status!: 'open' | 'resolved';
  @Column({ type: 'text', nullable: true }) resolution!: 'onec' | 'crm' | null;
  @Column({ name: 'resolved_by', type: 'text', nullable: true }) resolvedBy!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
}

/** A 1C record sync decided not to push at a DataVersion. */
@Entity('sync_skipped')
export class SyncSkipped {
  @PrimaryColumn('text') entity!: SyncEntity;
  @PrimaryColumn({ name: 'onec_ref', type: 'text' }) onecRef!: string;
  @Column({ name: 'data_version', type: 'text' }) dataVersion!: string;
  @Column('text') reason!: string;
  @Column({ name: 'waits_for', type: 'text', nullable: true }) waitsFor!: string | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** What 1C last said about the change feed's node, and Sverka's last pull (one row per node). */
@Entity('onec_feed_state')
export class OneCFeedStateRow {
  @PrimaryColumn('text') node!: string;
  @Column({ name: 'sent_no', type: 'bigint', nullable: true }) sentNo!: string | null;
  @Column({ name: 'received_no', type: 'bigint', nullable: true }) receivedNo!: string | null;
  @Column({ type: 'int', nullable: true }) pending!: number | null;
  @Column({ name: 'state_at', type: 'timestamptz', nullable: true }) stateAt!: Date | null;
  @Column({ name: 'caught_up_at', type: 'timestamptz', nullable: true }) caughtUpAt!: Date | null;
  @Column({ name: 'last_pull_at', type: 'timestamptz', nullable: true }) lastPullAt!: Date | null;
  @Column({ name: 'last_pull_run_id', type: 'uuid', nullable: true }) lastPullRunId!: string | null;
  @Column({ name: 'last_pull_error', type: 'text', nullable: true }) lastPullError!: string | null;
  @Column({ name: 'last_acked_no', type: 'bigint', nullable: true }) lastAckedNo!: string | null;
  @Column({ name: 'last_acked_at', type: 'timestamptz', nullable: true }) lastAckedAt!: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

export const SYNC_ENTITY_CLASSES = [
  EntityLink,
  SyncRun,
  SyncItemFailure,
  SyncConflict,
  SyncSkipped,
  OneCFeedStateRow,
];
