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
import { partyKind } from './plan-sync.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import { toConflictView, type ConflictView } from './sync-query.service.js';
import { returned } from '../database/query-result.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { SyncStore } from './sync-store.js';
import type { SyncEntity } from '../common/vocabulary.js';

const LIST_FIELDS = new Set(['phones', 'emails']);
const TAX_FIELDS = new Set(['fullName', 'inn', 'kpp', 'ogrn']);

/**
 * Resolves a field conflict of the `manual` strategy. `keep: 'onec'` writes the 1C value to the CRM;
 * `keep: 'crm'` leaves the CRM value. Either way the link's pushed value becomes the 1C value, so the
 * next run neither overwrites the kept CRM value nor reopens the conflict until 1C changes again.
 */
@Injectable()
export class ConflictsService {
  private readonly log = new Logger(ConflictsService.name);

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Optional() @Inject(CRM_PORT) private readonly crm: CrmPort | null,
    @Inject(ONEC_PORT) private readonly onec: OneCPort,
    @Optional() @Inject(AuditService) private readonly audit?: AuditService | null,
    @Optional() @Inject(SverkaMetrics) private readonly metrics?: SverkaMetrics | null,
  ) {}

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
      await this.writeField(entity, String(c.crm_id), String(c.onec_ref), field, onecValue, String(c.crm_value ?? ''));
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
    if (!cur) throw new ConflictException({ title: 'CRM record not found', detail: `${ce} ${crmId} no longer exists` });
    let fields: Record<string, unknown>;
    if (entity === 'counterparties' && TAX_FIELDS.has(field)) {
      const mine = (cur as CrmCompany).taxIds;
      if (!mine?.owned)
        throw new ConflictException({ title: 'Tax details not found', detail: `Company ${crmId} has no tax details of ${ref}` });
      const { owned: _owned, ...tax } = mine;
      fields = { taxIds: { ...tax, kind: await this.partyKindOf(ref), [field]: value } };
    } else if (LIST_FIELDS.has(field)) {
      // 1C's values are added; the values the CRM side held against them go. A person's other values stay.
      const want = value ? value.split(', ') : [];
      const had = crmValue ? crmValue.split(', ') : [];
      fields = { [field]: { add: want, remove: had.filter((v) => !want.includes(v)) } satisfies ValuesChange };
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
