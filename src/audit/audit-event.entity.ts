import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One row of the append-only audit log (a trigger refuses UPDATE and DELETE). */
@Entity('audit_event')
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ name: 'key_id', type: 'uuid', nullable: true })
  keyId: string | null;

  @Column({ name: 'key_name', type: 'text', nullable: true })
  keyName: string | null;

  @Column({ type: 'text', nullable: true })
  role: string | null;

  /** e.g. `reconciliation.trigger`, `sync.run.start`, `conflict.resolve`, `apikey.create`. */
  @Column('text')
  action: string;

  @Column({ type: 'text', nullable: true })
  target: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @Column({ name: 'client_ip', type: 'text', nullable: true })
  clientIp: string | null;

  /** `ok`, `denied`, `error`, `started`, `succeeded`, `partial`, `failed`. */
  @Column('text')
  outcome: string;

  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;
}
