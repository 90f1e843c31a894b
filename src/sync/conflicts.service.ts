import { ConflictException, Inject, Injectable, Logger, NotFoundException, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CrmError } from '../crm/crm.error.js';
import { CRM_PORT, type CrmPort } from '../crm/crm.port.js';
import type { CrmCompany, CrmWrite, ValuesChange } from '../crm/crm.types.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { describeError } from '../common/describe-error.js';
import { CRM_ENTITY } from './sync-runner.service.js';
import { crmFieldValue, partyKind, type CrmCurrent } from './plan-sync.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import { toConflictView, type ConflictView } from './sync-query.service.js';
import { returned } from '../database/query-result.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { SyncStore } from './sync-store.js';
import type { SyncEntity } from '../common/vocabulary.js';

const LIST_FIELDS = new Set(['phones', 'emails']);
const TAX_FIELDS = new Set(['fullName', 'inn', 'kpp', 'ogrn']);

/** One open conflict of a record, as a person should read it. */
export interface RecordConflict {
  id: string;
  field: string;
  onecValue: string;
  crmValue: string;
  openedAt: Date;
}

/** A CRM record with its open conflicts (oldest first). */
export interface RecordConflicts {
  entity: SyncEntity;
  crmId: string;
  onecRef: string;
  conflicts: RecordConflict[];
}

/** Told which records had conflicts resolved (through the API or by a CRM to-do), after the fact. */
export type ConflictsResolvedListener = (records: { entity: SyncEntity; crmId: string }[]) => void;

/**
 * Resolves a field conflict of the `manual` strategy. `keep: 'onec'` writes the 1C value to the CRM;
 * `keep: 'crm'` leaves the CRM value. Either way the link's pushed value becomes the 1C value, so the
 * next run neither overwrites the kept CRM value nor reopens the conflict until 1C changes again.
 */
@Injectable()
export class ConflictsService {
  private readonly log = new Logger(ConflictsService.name);
  private readonly listeners: ConflictsResolvedListener[] = [];

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Optional() @Inject(CRM_PORT) private readonly crm: CrmPort | null,
    @Inject(ONEC_PORT) private readonly onec: OneCPort,
    @Optional() @Inject(AuditService) private readonly audit?: AuditService | null,
    @Optional() @Inject(SverkaMetrics) private readonly metrics?: SverkaMetrics | null,
  ) {}

  /** Calls `listener` after every resolution (src/todos/ keeps the CRM to-dos in step with it). */
  onResolved(listener: ConflictsResolvedListener): void {
    this.listeners.push(listener);
  }

  /** Every open conflict, grouped by CRM record (records in the order of their oldest conflict). */
  async openByRecord(): Promise<RecordConflicts[]> {
    const rows = (await this.db.query(
      `SELECT id::text AS id, entity, crm_id, onec_ref, field, onec_value, crm_value, created_at
         FROM sync_conflict WHERE status = 'open' ORDER BY id`,
    )) as {
      id: string;
      entity: SyncEntity;
      crm_id: string;
      onec_ref: string;
      field: string;
      onec_value: string | null;
      crm_value: string | null;
      created_at: Date;
    }[];
    const byRecord = new Map<string, RecordConflicts>();
    for (const r of rows) {
      const key = `${r.entity}\u001f${r.crm_id}`;
      let g = byRecord.get(key);
      if (!g)
        byRecord.set(key, (g = { entity: r.entity, crmId: r.crm_id, onecRef: r.onec_ref, conflicts: [] }));
      g.conflicts.push({
        id: r.id,
        field: r.field,
        onecValue: r.onec_value ?? '',
        crmValue: r.crm_value ?? '',
        openedAt: new Date(r.created_at),
      });
    }
    return [...byRecord.values()];
  }

  /**
   * Resolves conflicts the way a person settled them in the CRM (a completed to-do): the values the CRM
   * holds now are kept and recorded, and the link's pushed value becomes the 1C value, so the next sync
   * neither overwrites them nor reopens the conflicts until 1C changes again. A conflict no longer open,
   * or whose 1C value changed since the person saw it (`onecValue`), is left as it is and listed in `kept`.
   * The CRM records are read in one call per entity; a record the CRM no longer has keeps its last value.
   * `by` (`resolved_by`) may differ per conflict.
   */
  async resolveAsInCrm(
    items: { id: string; onecValue: string }[],
    by: string | ((conflictId: string) => string),
  ): Promise<{ resolved: string[]; kept: string[] }> {
    const byOf = (id: string) => (typeof by === 'function' ? by(id) : by);
    const ids = items.map((i) => i.id).filter((i) => /^\d{1,18}$/.test(i));
    if (!ids.length) return { resolved: [], kept: items.map((i) => i.id) };
    const seen = new Map(items.map((i) => [i.id, i.onecValue]));
    const rows = (await this.db.query(
      `SELECT c.id::text AS id, c.entity, c.crm_id, c.onec_ref, c.field, c.onec_value, c.crm_value,
              COALESCE(l.pushed_values, '{}'::jsonb) AS pushed
         FROM sync_conflict c LEFT JOIN entity_link l ON l.entity = c.entity AND l.onec_ref = c.onec_ref
        WHERE c.id = ANY($1::bigint[]) AND c.status = 'open'`,
      [ids],
    )) as {
      id: string;
      entity: SyncEntity;
      crm_id: string;
      onec_ref: string;
      field: string;
      onec_value: string | null;
      crm_value: string | null;
      pushed: Record<string, string>;
    }[];
    const settle = rows.filter((r) => (r.onec_value ?? '') === seen.get(r.id));
    const current = new Map<string, CrmCurrent>();
    if (this.crm)
      for (const entity of new Set(settle.map((r) => r.entity))) {
        const read = await this.crm.getMany(
          CRM_ENTITY[entity],
          settle.filter((r) => r.entity === entity).map((r) => r.crm_id),
        );
        for (const rec of read.records) current.set(`${entity}\u001f${rec.id}`, rec as CrmCurrent);
      }
    const resolved: string[] = [];
    for (const r of settle) {
      const onecValue = r.onec_value ?? '';
      const cur = current.get(`${r.entity}\u001f${r.crm_id}`);
      const crmValue = cur
        ? crmFieldValue(r.entity, this.mapping, r.field, cur, onecValue, r.pushed[r.field])
        : (r.crm_value ?? '');
      const done = await this.db.transaction(async (m) => {
        const upd = returned<{ id: string }>(
          await m.query(
            `UPDATE sync_conflict SET status = 'resolved', resolution = 'crm', crm_value = $2, resolved_by = $3,
                    resolved_at = now(), updated_at = now()
              WHERE id = $1 AND status = 'open' RETURNING id`,
            [r.id, crmValue, byOf(r.id)],
          ),
        );
        if (!upd.length) return false;
        await m.query(
          `UPDATE entity_link SET pushed_values = jsonb_set(pushed_values, ARRAY[$3::text], to_jsonb($4::text)), updated_at = now()
            WHERE entity = $1 AND onec_ref = $2`,
          [r.entity, r.onec_ref, r.field, onecValue],
        );
        return true;
      });
      if (!done) continue;
      resolved.push(r.id);
      await this.audit?.record({
        action: 'conflict.resolve',
        target: `conflict:${r.id}`,
        outcome: 'ok',
        detail: { entity: r.entity, field: r.field, keep: 'crm', by: byOf(r.id) },
      });
    }
    for (const entity of new Set(settle.map((r) => r.entity)))
      this.metrics?.syncConflictsOpen.set({ entity }, await new SyncStore(this.db).openConflictCount(entity));
    if (resolved.length) {
      this.log.log(`${resolved.length} conflict(s) resolved as settled in the CRM`);
      this.notify(rows.filter((r) => resolved.includes(r.id)));
    }
    return { resolved, kept: items.map((i) => i.id).filter((i) => !resolved.includes(i)) };
  }

  private notify(rows: { entity: SyncEntity; crm_id: string }[]): void {
    const records = [
      ...new Map(
        rows.map((r) => [`${r.entity}\u001f${r.crm_id}`, { entity: r.entity, crmId: r.crm_id }]),
      ).values(),
    ];
    for (const l of this.listeners) {
      try {
        l(records);
      } catch (e) {
        this.log.warn(`a conflict listener failed: ${describeError(e)}`);
      }
    }
  }

  /**
   * Resolves the oldest `limit` open conflicts matching the filter, one by one as `resolve` does. A
   * conflict that cannot be resolved (the CRM refused the write, another caller resolved it first) is
   * listed with the reason and stays as it is; `remaining` says how many matching ones are still open.
   */
  async resolveMany(
    filter: { entity?: SyncEntity; field?: string },
    keep: 'onec' | 'crm',
    by: string | null,
    limit: number,
  ): Promise<{ resolved: number; failed: { id: string; detail: string }[]; remaining: number }> {
    const where = `status = 'open' AND ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR field = $2)`;
    const params = [filter.entity ?? null, filter.field ?? null];
    const ids = (
      (await this.db.query(`SELECT id FROM sync_conflict WHERE ${where} ORDER BY id LIMIT $3`, [
        ...params,
        limit,
      ])) as { id: string }[]
    ).map((r) => String(r.id));
    let resolved = 0;
    const failed: { id: string; detail: string }[] = [];
    for (const id of ids) {
      try {
        await this.resolve(id, keep, by);
        resolved++;
      } catch (e) {
        if (e instanceof CrmError && e.fatal) throw e;
        const body = (e as { getResponse?: () => unknown }).getResponse?.() as
          { detail?: string } | undefined;
        failed.push({ id, detail: body?.detail ?? describeError(e) });
      }
    }
    const [{ n }] = (await this.db.query(
      `SELECT count(*)::int AS n FROM sync_conflict WHERE ${where}`,
      params,
    )) as {
      n: number;
    }[];
    return { resolved, failed, remaining: n };
  }

  async resolve(id: string, keep: 'onec' | 'crm', by: string | null): Promise<ConflictView> {
    if (!/^\d{1,18}$/.test(id))
      throw new NotFoundException({ title: 'Conflict not found', detail: `No conflict ${id}` });
    const rows = (await this.db.query(`SELECT * FROM sync_conflict WHERE id = $1`, [id])) as Record<
      string,
      unknown
    >[];
    const c = rows[0];
    if (!c) throw new NotFoundException({ title: 'Conflict not found', detail: `No conflict ${id}` });
    if (c.status !== 'open')
      throw new ConflictException({
        title: 'Conflict already resolved',
        detail: `Conflict ${id} was resolved (${String(c.resolution)})`,
      });
    const entity = c.entity as SyncEntity;
    const field = String(c.field);
    const onecValue = String(c.onec_value ?? '');
    if (keep === 'onec') {
      if (!this.crm)
        throw new ConflictException({
          title: 'CRM not configured',
          detail: 'The CRM is not configured (CRM_KIND and its settings)',
        });
      await this.writeField(
        entity,
        String(c.crm_id),
        String(c.onec_ref),
        field,
        onecValue,
        String(c.crm_value ?? ''),
      );
    }
    await this.db.query(
      `UPDATE entity_link SET pushed_values = jsonb_set(pushed_values, ARRAY[$3::text], to_jsonb($4::text)), updated_at = now()
        WHERE entity = $1 AND onec_ref = $2`,
      [entity, c.onec_ref, field, onecValue],
    );
    const done = returned<Record<string, unknown>>(
      await this.db.query(
        `UPDATE sync_conflict SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = now(), updated_at = now()
        WHERE id = $1 RETURNING *`,
        [id, keep, by],
      ),
    );
    this.log.log(`conflict ${id} (${entity} ${field}) resolved: kept ${keep}`);
    this.notify([{ entity, crm_id: String(c.crm_id) }]);
    this.metrics?.syncConflictsOpen.set({ entity }, await new SyncStore(this.db).openConflictCount(entity));
    await this.audit?.record({
      action: 'conflict.resolve',
      target: `conflict:${id}`,
      outcome: 'ok',
      detail: { entity, field, keep },
    });
    return toConflictView(done[0]);
  }

  private async writeField(
    entity: SyncEntity,
    crmId: string,
    ref: string,
    field: string,
    value: string,
    crmValue: string,
  ): Promise<void> {
    const crm = this.crm!;
    const ce = CRM_ENTITY[entity];
    const cur = await crm.getOne(ce, crmId);
    if (!cur)
      throw new ConflictException({
        title: 'CRM record not found',
        detail: `${ce} ${crmId} no longer exists`,
      });
    let fields: Record<string, unknown>;
    if (entity === 'counterparties' && TAX_FIELDS.has(field)) {
      const mine = (cur as CrmCompany).taxIds;
      if (!mine?.owned)
        throw new ConflictException({
          title: 'Tax details not found',
          detail: `Company ${crmId} has no tax details of ${ref}`,
        });
      const { owned: _owned, ...tax } = mine;
      fields = { taxIds: { ...tax, kind: await this.partyKindOf(ref), [field]: value } };
    } else if (LIST_FIELDS.has(field)) {
      // 1C's values are added; the values the CRM side held against them go. A person's other values stay.
      const want = value ? value.split(', ') : [];
      const had = crmValue ? crmValue.split(', ') : [];
      fields = {
        [field]: { add: want, remove: had.filter((v) => !want.includes(v)) } satisfies ValuesChange,
      };
    } else fields = { [field]: value };
    const write = { op: 'update', key: ref, entity: ce, id: crmId, fields } as CrmWrite;
    const [r] = await crm.applyWrites([write]);
    if (!r?.ok) {
      const err = r && !r.ok ? r.error : new CrmError('TEMPORARY' as never, 'no answer');
      throw new ConflictException({ title: 'The CRM refused the value', detail: describeError(err) });
    }
  }

  /** The party kind of the counterparty as 1C describes it now (legal / ИП / person). */
  private async partyKindOf(ref: string) {
    const read = await this.onec.getOne('counterparties', ref);
    const c = read?.records[0];
    if (!c)
      throw new ConflictException({
        title: 'Counterparty not found in 1C',
        detail: `1C has no counterparty ${ref}`,
      });
    return partyKind(c);
  }
}
