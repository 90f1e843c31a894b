import { createHash } from 'node:crypto';
import { toMoneyString } from '../common/money.js';
import type { SyncEntity } from '../common/vocabulary.js';
import type {
  CompanyFields,
  ContactFields,
  CrmCompany,
  CrmContact,
  CrmDeal,
  CrmMultiValue,
  CrmRequisite,
  DealFields,
  RequisiteFields,
} from '../crm/crm.types.js';
import type { ConflictStrategy, EntityMapping, FieldRule, Mapping } from '../mapping/mapping.types.js';
import { canonicalList, dealTitle, transformList, transformValue } from '../mapping/transform-values.js';
import type { OneCContact, OneCCounterparty, OneCOrder, OneCRecordMap } from '../onec/onec.types.js';

/**
 * The pure sync planner (load → plan → apply): canonical 1C records + link rows + the current CRM
 * values of linked records → what to create, update, leave, flag, skip, and which conflicts open.
 *
 * Field ownership (mapping): `onec` fields are pushed; `crm` fields are written on create only and
 * never overwritten; `both` fields follow the strategy when both sides changed since the last push:
 * `onec_wins`, `last_write_wins` (1C change time vs CRM `updatedTime`), `manual` (nothing overwritten,
 * a conflict opens). 1C's standard OData interface has no change time: the 1C change time used is the
 * moment sync first saw the record's new DataVersion (`onecSeenAt`), so a CRM edit made after that
 * moment wins under last_write_wins.
 *
 * A CRM user's edit of a 1C-owned field is detected when the CRM value differs from what sync last
 * pushed (`pushed_values`); it is reported in `crmEdits`.
 */

/** Link row as the planner needs it. */
export interface PlanLink {
  crmId: string;
  dataVersion: string | null;
  /** The canonical values of owned fields as sync last pushed them (by field). */
  pushedValues: Record<string, string>;
  crmRequisiteId: string | null;
  flaggedAt: Date | null;
  /** When sync first saw the current 1C DataVersion (the 1C change time of last_write_wins). */
  onecSeenAt: Date | null;
}

export type CrmCurrent = CrmCompany | CrmContact | CrmDeal;

export interface PlanInput<E extends SyncEntity> {
  entity: E;
  records: OneCRecordMap[E][];
  /** Link rows by 1C ref (this entity). */
  links: ReadonlyMap<string, PlanLink>;
  /** Current CRM records of linked refs, by CRM id (absent = not read, or gone from the CRM). */
  crm: ReadonlyMap<string, CrmCurrent>;
  /** Counterparties only: current requisites by CRM company id (those with XML_ID = the ref). */
  requisites?: ReadonlyMap<string, CrmRequisite>;
  /** Contacts/deals: CRM company id per counterparty ref (the counterparty links). */
  companyLinks?: ReadonlyMap<string, string>;
  mapping: Mapping;
  now: Date;
}

export interface InvalidValue {
  ref: string;
  field: string;
  value: string;
  pushed: boolean;
}

export interface PlannedCreate {
  ref: string;
  dataVersion: string;
  fields: CompanyFields | ContactFields | DealFields;
  requisite?: RequisiteFields;
  pushedValues: Record<string, string>;
  pushedHash: string;
}

export interface PlannedUpdate {
  ref: string;
  crmId: string;
  dataVersion: string;
  /** Only the fields to write (never empty unless `requisite` is set). */
  fields: CompanyFields | ContactFields | DealFields;
  current?: { phones: CrmMultiValue[]; emails: CrmMultiValue[] };
  /** Counterparties: the requisite to create (`requisiteId` null) or update. */
  requisite?: RequisiteFields;
  requisiteId?: string | null;
  pushedValues: Record<string, string>;
  pushedHash: string;
  /** The write flags the record (deleted stage of a deal, deletion marker): flagged once it succeeds. */
  flag?: boolean;
}

export interface PlannedUnchanged {
  ref: string;
  crmId: string;
  dataVersion: string;
  pushedValues: Record<string, string>;
  pushedHash: string;
  requisiteId?: string | null;
}

export interface PlannedConflict {
  ref: string;
  crmId: string;
  field: string;
  onecValue: string;
  crmValue: string;
}

export interface PlannedSkip {
  ref: string;
  reason: string;
  /** True when a later run may succeed (e.g. the company is not linked yet): the version is not stored. */
  retry: boolean;
  dataVersion: string;
  /** The counterparty ref the record waits for (retry once it is linked). */
  waitsFor?: string;
}

export interface PlannedFlag {
  ref: string;
  crmId: string;
  dataVersion: string | null;
  reason: string;
  /** Flagged before (a full run re-read it): stays flagged, not counted as new. */
  renewed?: boolean;
}

export interface CrmEdit {
  ref: string;
  crmId: string;
  field: string;
}

export interface SyncPlan {
  create: PlannedCreate[];
  update: PlannedUpdate[];
  unchanged: PlannedUnchanged[];
  conflict: PlannedConflict[];
  skip: PlannedSkip[];
  flag: PlannedFlag[];
  invalid: InvalidValue[];
  crmEdits: CrmEdit[];
}

export function emptyPlan(): SyncPlan {
  return {
    create: [],
    update: [],
    unchanged: [],
    conflict: [],
    skip: [],
    flag: [],
    invalid: [],
    crmEdits: [],
  };
}

/** Requisite preset by kind: legal → Организация; a person with a 15-digit ОГРНИП → ИП; else Физ. лицо. */
export function requisitePreset(
  c: Pick<OneCCounterparty, 'kind' | 'regNumber'>,
  m: Mapping['counterparties'],
): string {
  if (c.kind === 'legal') return m.presets.legal;
  return /^\d{15}$/.test(c.regNumber.trim()) ? m.presets.entrepreneur : m.presets.person;
}

/** Canonical text of a value for comparison and for `pushed_values`. */
function canon(field: string, v: unknown): string {
  if (Array.isArray(v)) return canonicalList(v as string[]);
  if (v === null || v === undefined) return '';
  if (field === 'opportunity') return toMoneyString(String(v));
  return String(v);
}

export function hashValues(values: Record<string, string>): string {
  const keys = Object.keys(values).sort();
  return createHash('sha1')
    .update(JSON.stringify(keys.map((k) => [k, values[k]])))
    .digest('hex');
}

interface Desired {
  /** Canonical field → value (string or list), the 1C side after transforms. */
  values: Record<string, string | string[] | null>;
  invalid: InvalidValue[];
}

function rule(em: EntityMapping, field: string): FieldRule | undefined {
  return em.fields[field];
}

function scalar(ref: string, em: EntityMapping, field: string, raw: string, invalid: InvalidValue[]): string {
  const r = rule(em, field);
  const v = transformValue(raw, r?.transforms ?? []);
  if (v === null) {
    const push = r?.pushInvalid ?? false;
    invalid.push({ ref, field, value: raw, pushed: push });
    return push ? raw.trim() : '';
  }
  return v;
}

function list(
  ref: string,
  em: EntityMapping,
  field: string,
  raw: string[],
  invalid: InvalidValue[],
): string[] {
  const r = rule(em, field);
  const t = transformList(raw, r?.transforms ?? []);
  const push = r?.pushInvalid ?? false;
  for (const v of t.invalid) invalid.push({ ref, field, value: v, pushed: push });
  return push ? [...t.values, ...t.invalid.map((v) => v.trim())] : t.values;
}

function desiredCounterparty(c: OneCCounterparty, m: Mapping): Desired {
  const em = m.counterparties;
  const invalid: InvalidValue[] = [];
  return {
    values: {
      title: scalar(c.ref, em, 'title', c.name, invalid),
      fullName: scalar(c.ref, em, 'fullName', c.fullName, invalid),
      inn: scalar(c.ref, em, 'inn', c.inn, invalid),
      kpp: scalar(c.ref, em, 'kpp', c.kpp, invalid),
      ogrn: scalar(c.ref, em, 'ogrn', c.regNumber, invalid),
      phones: list(c.ref, em, 'phones', c.phones, invalid),
      emails: list(c.ref, em, 'emails', c.emails, invalid),
    },
    invalid,
  };
}

function desiredContact(c: OneCContact, m: Mapping, companyId: string): Desired {
  const em = m.contacts;
  const invalid: InvalidValue[] = [];
  return {
    values: {
      lastName: scalar(c.ref, em, 'lastName', c.lastName, invalid),
      name: scalar(c.ref, em, 'name', c.firstName, invalid),
      secondName: scalar(c.ref, em, 'secondName', c.middleName, invalid),
      companyId,
      phones: list(c.ref, em, 'phones', c.phones, invalid),
      emails: list(c.ref, em, 'emails', c.emails, invalid),
    },
    invalid,
  };
}

function desiredDeal(o: OneCOrder, m: Mapping, companyId: string, stageId: string): Desired {
  return {
    values: {
      title: dealTitle(o.number, o.date),
      opportunity: toMoneyString(o.amount),
      currencyId: m.deals.currencyId,
      companyId,
      stageId,
      comments: o.comment.trim(),
    },
    invalid: [],
  };
}

/** The CRM side of a field, canonical. */
function currentValue(
  entity: SyncEntity,
  field: string,
  cur: CrmCurrent,
  req: CrmRequisite | undefined,
): string {
  if (entity === 'counterparties') {
    const c = cur as CrmCompany;
    switch (field) {
      case 'title':
        return c.title;
      case 'phones':
        return canonicalList(c.phones.map((p) => p.value));
      case 'emails':
        return canonicalList(c.emails.map((p) => p.value));
      case 'fullName':
        return req?.fullName ?? '';
      case 'inn':
        return req?.inn ?? '';
      case 'kpp':
        return req?.kpp ?? '';
      case 'ogrn':
        return req?.ogrn ?? '';
    }
  }
  if (entity === 'contacts') {
    const c = cur as CrmContact;
    if (field === 'phones') return canonicalList(c.phones.map((p) => p.value));
    if (field === 'emails') return canonicalList(c.emails.map((p) => p.value));
  }
  const v = (cur as unknown as Record<string, unknown>)[field];
  return canon(field, v ?? '');
}

const REQUISITE_FIELDS = new Set(['fullName', 'inn', 'kpp', 'ogrn']);

/** Settles one owned field of a linked record: write the 1C value, keep the CRM's, or open a conflict. */
function decide(
  rule: FieldRule,
  entityStrategy: ConflictStrategy,
  desired: string,
  current: string,
  pushed: string | undefined,
  onecSeenAt: Date,
  crmUpdated: Date | null,
): { write: boolean; conflict: boolean; crmEdited: boolean } {
  if (desired === current) return { write: false, conflict: false, crmEdited: false };
  const crmEdited = pushed !== undefined && current !== pushed;
  if (rule.owner === 'onec') return { write: true, conflict: false, crmEdited };
  // owner 'both'
  if (!crmEdited && pushed !== undefined) return { write: true, conflict: false, crmEdited };
  // Only the CRM changed since the last push: its edit stands.
  if (pushed !== undefined && desired === pushed) return { write: false, conflict: false, crmEdited };
  const strategy = rule.strategy ?? entityStrategy;
  if (strategy === 'onec_wins') return { write: true, conflict: false, crmEdited };
  if (strategy === 'last_write_wins') {
    const crmWins = crmUpdated !== null && crmUpdated.getTime() > onecSeenAt.getTime();
    return { write: !crmWins, conflict: false, crmEdited };
  }
  return { write: false, conflict: true, crmEdited };
}

function parseTime(s: string | undefined | null): Date | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t);
}

/** Builds the CRM write fields from canonical desired values (only `fields`). */
function toCrmFields(
  entity: SyncEntity,
  values: Record<string, string | string[] | null>,
  fields: string[],
  version: string,
) {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (entity === 'counterparties' && REQUISITE_FIELDS.has(f)) continue;
    out[f] = values[f];
  }
  if (entity !== 'deals' && Object.keys(out).length > 0) out.originVersion = version;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function requisiteOf(
  c: OneCCounterparty,
  v: Record<string, string | string[] | null>,
  m: Mapping,
): RequisiteFields {
  return {
    presetName: requisitePreset(c, m.counterparties),
    xmlId: c.ref,
    inn: String(v.inn ?? ''),
    kpp: String(v.kpp ?? ''),
    companyName: String(v.title ?? ''),
    fullName: String(v.fullName ?? ''),
    ogrn: String(v.ogrn ?? ''),
  };
}

/** Plans one entity's records. Pure: same input → same plan. */
export function planSync<E extends SyncEntity>(input: PlanInput<E>): SyncPlan {
  const plan = emptyPlan();
  const { entity, mapping: m, now } = input;
  const em: EntityMapping = m[entity];
  for (const rec of input.records as OneCRecordMap[SyncEntity][]) {
    const link = input.links.get(rec.ref);
    const version = rec.dataVersion;
    // ---- deletions and records that are not synced ----
    if (rec.deletionMark) {
      if (!link) {
        plan.skip.push({
          ref: rec.ref,
          reason: 'deletion-marked in 1C and never synced',
          retry: false,
          dataVersion: version,
        });
        continue;
      }
      if (link.flaggedAt === null) {
        // Never deleted in the CRM: a deal moves to the deleted stage; with a deletion marker the
        // record's marker field is set.
        const cur = input.crm.get(link.crmId);
        const fields: Record<string, unknown> = {};
        let pushedValues = link.pushedValues;
        if (entity === 'deals' && cur && (cur as CrmDeal).stageId !== m.deals.deletedStage) {
          fields.stageId = m.deals.deletedStage;
          pushedValues = { ...link.pushedValues, stageId: m.deals.deletedStage };
        }
        if (cur && m.deletions === 'flag' && m.deletionMarker)
          fields.userFields = { [m.deletionMarker.field]: m.deletionMarker.value };
        if (Object.keys(fields).length) {
          plan.update.push({
            ref: rec.ref,
            crmId: link.crmId,
            dataVersion: version,
            fields,
            pushedValues,
            pushedHash: hashValues(pushedValues),
            flag: true,
          });
          continue;
        }
      }
      if (m.deletions === 'flag')
        // Already flagged ones are flagged again (a full run re-reads them), keeping the first flag time.
        plan.flag.push({
          ref: rec.ref,
          crmId: link.crmId,
          dataVersion: version,
          reason: 'deletion-marked in 1C',
          renewed: link.flaggedAt !== null,
        });
      else
        plan.unchanged.push({
          ref: rec.ref,
          crmId: link.crmId,
          dataVersion: version,
          pushedValues: link.pushedValues,
          pushedHash: hashValues(link.pushedValues),
        });
      continue;
    }
    let desired: Desired;
    if (entity === 'counterparties') desired = desiredCounterparty(rec as OneCCounterparty, m);
    else if (entity === 'contacts') {
      const c = rec as OneCContact;
      if (!c.ownerRef) {
        plan.skip.push({
          ref: c.ref,
          reason: 'the contact person has no counterparty owner',
          retry: false,
          dataVersion: version,
        });
        continue;
      }
      const companyId = input.companyLinks?.get(c.ownerRef);
      if (!companyId) {
        plan.skip.push({
          ref: c.ref,
          reason: `its counterparty ${c.ownerRef} is not synced yet`,
          retry: true,
          dataVersion: version,
          waitsFor: c.ownerRef,
        });
        continue;
      }
      desired = desiredContact(c, m, companyId);
    } else {
      const o = rec as OneCOrder;
      if (!o.posted) {
        plan.skip.push({ ref: o.ref, reason: 'the order is not posted', retry: false, dataVersion: version });
        continue;
      }
      if (!o.counterpartyRef) {
        plan.skip.push({
          ref: o.ref,
          reason: 'the order has no counterparty',
          retry: false,
          dataVersion: version,
        });
        continue;
      }
      const companyId = input.companyLinks?.get(o.counterpartyRef);
      if (!companyId) {
        plan.skip.push({
          ref: o.ref,
          reason: `its counterparty ${o.counterpartyRef} is not synced yet`,
          retry: true,
          dataVersion: version,
          waitsFor: o.counterpartyRef,
        });
        continue;
      }
      const stageId = m.deals.statusMap[o.status];
      if (!stageId) {
        plan.skip.push({
          ref: o.ref,
          reason: `the order status "${o.status}" has no stage in the mapping`,
          retry: false,
          dataVersion: version,
        });
        continue;
      }
      desired = desiredDeal(o, m, companyId, stageId);
    }
    plan.invalid.push(...desired.invalid);
    const owned = Object.entries(em.fields)
      .filter(([, r]) => r.owner !== 'crm')
      .map(([f]) => f);
    const allFields = Object.keys(em.fields);
    const desiredCanon: Record<string, string> = {};
    for (const f of allFields) desiredCanon[f] = canon(f, desired.values[f]);

    const cur = link ? input.crm.get(link.crmId) : undefined;
    if (!link || !cur) {
      // Create (a link whose CRM record is gone: the record is created again and the link replaced).
      const fields = toCrmFields(entity, desired.values, allFields, version);
      if (entity === 'deals') Object.assign(fields, { categoryId: m.deals.categoryId });
      const pushedValues = Object.fromEntries(owned.map((f) => [f, desiredCanon[f]]));
      plan.create.push({
        ref: rec.ref,
        dataVersion: version,
        fields,
        requisite:
          entity === 'counterparties' ? requisiteOf(rec as OneCCounterparty, desired.values, m) : undefined,
        pushedValues,
        pushedHash: hashValues(pushedValues),
      });
      continue;
    }
    // ---- update or unchanged ----
    const req = entity === 'counterparties' ? input.requisites?.get(link.crmId) : undefined;
    const onecSeenAt = link.dataVersion === version && link.onecSeenAt ? link.onecSeenAt : now;
    const crmUpdated = parseTime((cur as { updatedTime?: string }).updatedTime);
    const write: string[] = [];
    const pushedValues: Record<string, string> = {};
    for (const f of owned) {
      const r = em.fields[f];
      const current = currentValue(entity, f, cur, req);
      const pushed = link.pushedValues[f];
      const d = decide(r, em.strategy, desiredCanon[f], current, pushed, onecSeenAt, crmUpdated);
      if (d.crmEdited) plan.crmEdits.push({ ref: rec.ref, crmId: link.crmId, field: f });
      if (d.conflict)
        plan.conflict.push({
          ref: rec.ref,
          crmId: link.crmId,
          field: f,
          onecValue: desiredCanon[f],
          crmValue: current,
        });
      if (d.write) {
        write.push(f);
        pushedValues[f] = desiredCanon[f];
      } else if (desiredCanon[f] === current) pushedValues[f] = current;
      else if (pushed !== undefined) pushedValues[f] = pushed;
    }
    const fields = toCrmFields(entity, desired.values, write, version);
    // Live again in 1C after being flagged: its deletion marker is cleared.
    if (link.flaggedAt !== null && m.deletionMarker) fields.userFields = { [m.deletionMarker.field]: '' };
    let requisite: RequisiteFields | undefined;
    let requisiteId: string | null | undefined;
    if (entity === 'counterparties') {
      const reqFieldsWritten = write.some((f) => REQUISITE_FIELDS.has(f));
      // The requisite's company name follows the company title the CRM will show (also after a crash
      // between the company write and the requisite write).
      const finalTitle = write.includes('title') ? desiredCanon.title : (cur as CrmCompany).title;
      const companyNameStale = req !== undefined && req.companyName !== finalTitle;
      if (!req || reqFieldsWritten || companyNameStale) {
        const full = requisiteOf(rec as OneCCounterparty, desired.values, m);
        full.companyName = finalTitle;
        // Fields kept on the CRM side (not written) keep the requisite's current value.
        if (req)
          for (const f of REQUISITE_FIELDS)
            if (!write.includes(f))
              (full as unknown as Record<string, string>)[f] = (req as unknown as Record<string, string>)[f];
        requisite = full;
        requisiteId = req?.id ?? null;
      } else requisiteId = req.id;
    }
    const hash = hashValues(pushedValues);
    if (Object.keys(fields).length === 0 && !requisite) {
      plan.unchanged.push({
        ref: rec.ref,
        crmId: link.crmId,
        dataVersion: version,
        pushedValues,
        pushedHash: hash,
        requisiteId,
      });
      continue;
    }
    const fm = 'phones' in fields || 'emails' in fields;
    plan.update.push({
      ref: rec.ref,
      crmId: link.crmId,
      dataVersion: version,
      fields,
      current: fm
        ? { phones: (cur as CrmCompany).phones ?? [], emails: (cur as CrmCompany).emails ?? [] }
        : undefined,
      requisite,
      requisiteId,
      pushedValues,
      pushedHash: hash,
    });
  }
  return plan;
}
