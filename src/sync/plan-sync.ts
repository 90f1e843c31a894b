import { createHash } from 'node:crypto';
import { roundMoney, toMoneyString } from '../common/money.js';
import type { SyncEntity } from '../common/vocabulary.js';
import type {
  CompanyFields,
  ContactFields,
  CrmCompany,
  CrmContact,
  CrmDeal,
  CrmTaxIds,
  DealFields,
  PartyKind,
  ValuesChange,
} from '../crm/crm.types.js';
import type { ConflictStrategy, EntityMapping, FieldRule, Mapping } from '../mapping/mapping.types.js';
import { canonicalList, dealTitle, transformList, transformValue } from '../mapping/transform-values.js';
import type { OneCContact, OneCCounterparty, OneCOrder, OneCRecordMap } from '../onec/onec.types.js';

/**
 * The pure sync planner (load → plan → apply): canonical 1C records + link rows + the current CRM
 * records of linked ones → what to create, update, leave, flag, skip, and which conflicts open.
 *
 * Field ownership (mapping): `onec` fields are pushed; `crm` fields are written on create only and
 * never overwritten; `both` fields follow the strategy when both sides changed since the last push:
 * `onec_wins`, `last_write_wins` (1C change time vs CRM `updatedTime`), `manual` (nothing overwritten,
 * a conflict opens). 1C's standard OData interface has no change time: the 1C change time used is the
 * moment sync first saw the record's new DataVersion (`onecSeenAt`), so a CRM edit made after that
 * moment wins under last_write_wins.
 *
 * Phones and e-mails hold people's values too: sync adds 1C's values and removes only values it pushed
 * earlier that 1C no longer has; a value a person entered is never removed and never counts as a
 * difference (docs/for-managers.md).
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
  /** Contacts/deals: CRM company id per counterparty ref (the counterparty links). */
  companyLinks?: ReadonlyMap<string, string>;
  mapping: Mapping;
  /** The CRM can carry a "deleted in 1C" flag on records (its adapter has a marker configured). */
  crmFlags: boolean;
  /** Decimals the CRM keeps in an amount (CrmCapabilities.amountDigits): 1C amounts are planned as kept. */
  amountDigits?: 0 | 2;
  /**
   * Unlinked records that matching (match-records.ts) decided to link to a person's CRM record: planned as
   * a `link` — the external key written, then the 1C-owned fields as an update with nothing pushed before
   * (so `both` fields follow their strategy and `manual` opens conflicts, and a person's phones stay). The
   * record's current CRM state must be in `crm`.
   */
  matches?: ReadonlyMap<string, { crmId: string; matchedTaxIds?: { inn: string; kpp: string } }>;
  now: Date;
}

export interface InvalidValue {
  ref: string;
  field: string;
  value: string;
  pushed: boolean;
}

export type PlannedFields = CompanyFields | ContactFields | DealFields;

export interface PlannedCreate {
  ref: string;
  dataVersion: string;
  fields: PlannedFields;
  pushedValues: Record<string, string>;
  pushedHash: string;
}

export interface PlannedUpdate {
  ref: string;
  crmId: string;
  dataVersion: string;
  /** Only the fields to write (never empty). */
  fields: PlannedFields;
  /** What changes, field by field, for people reading a plan (canonical CRM value → 1C value). */
  changes: PlannedChange[];
  pushedValues: Record<string, string>;
  pushedHash: string;
  /** The write flags the record (deleted stage of a deal, "deleted in 1C" flag): flagged once it succeeds. */
  flag?: boolean;
}

/** A person's CRM record adopted for a 1C record (matching): external key + fields, even when no field changes. */
export interface PlannedLink extends PlannedUpdate {
  matchedTaxIds?: { inn: string; kpp: string };
}

export interface PlannedChange {
  field: string;
  crm: string;
  onec: string;
}

export interface PlannedUnchanged {
  ref: string;
  crmId: string;
  dataVersion: string;
  pushedValues: Record<string, string>;
  pushedHash: string;
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
  link: PlannedLink[];
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
    link: [],
    unchanged: [],
    conflict: [],
    skip: [],
    flag: [],
    invalid: [],
    crmEdits: [],
  };
}

/** Legal entity; a person with a 15-digit ОГРНИП is an entrepreneur (ИП); any other person a private person. */
export function partyKind(c: Pick<OneCCounterparty, 'kind' | 'regNumber'>): PartyKind {
  if (c.kind === 'legal') return 'legal';
  return /^\d{15}$/.test(c.regNumber.trim()) ? 'entrepreneur' : 'person';
}

const MULTI_FIELDS = new Set(['phones', 'emails']);
const TAX_FIELDS = ['fullName', 'inn', 'kpp', 'ogrn'] as const;

/** Canonical text of a value for comparison and for `pushed_values`. */
function canon(field: string, v: unknown): string {
  if (Array.isArray(v)) return canonicalList(v as string[]);
  if (v === null || v === undefined) return '';
  if (field === 'amount') return toMoneyString(String(v));
  return String(v);
}

/** The values of a canonical list (`canonicalList` joins them with ", "). */
function listOf(canonical: string | undefined): string[] {
  return canonical ? canonical.split(', ') : [];
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

function scalar(ref: string, em: EntityMapping, field: string, raw: string, invalid: InvalidValue[]): string {
  const r = em.fields[field];
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
  const r = em.fields[field];
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
      firstName: scalar(c.ref, em, 'firstName', c.firstName, invalid),
      middleName: scalar(c.ref, em, 'middleName', c.middleName, invalid),
      companyId,
      phones: list(c.ref, em, 'phones', c.phones, invalid),
      emails: list(c.ref, em, 'emails', c.emails, invalid),
    },
    invalid,
  };
}

function desiredDeal(o: OneCOrder, m: Mapping, companyId: string, stage: string, digits: 0 | 2): Desired {
  return {
    values: {
      title: dealTitle(o.number, o.date),
      amount: roundMoney(o.amount, digits),
      currency: m.deals.currency,
      companyId,
      stage,
      comments: o.comment.trim(),
    },
    invalid: [],
  };
}

/** The CRM side of a scalar field, canonical (tax details count only when they are Sverka's own). */
function currentScalar(entity: SyncEntity, field: string, cur: CrmCurrent): string {
  if (entity === 'counterparties' && (TAX_FIELDS as readonly string[]).includes(field)) {
    const t = (cur as CrmCompany).taxIds;
    return t?.owned ? t[field as (typeof TAX_FIELDS)[number]] : '';
  }
  return canon(field, (cur as unknown as Record<string, unknown>)[field] ?? '');
}

/**
 * The CRM side of a multi-value field as sync sees it: the CRM's values (normalised like 1C's) that are
 * 1C's now or were pushed by sync before; a person's own values are left out.
 */
function currentOurs(
  em: EntityMapping,
  field: string,
  cur: CrmCurrent,
  desired: string[],
  pushed: string[],
): string[] {
  const values = (cur as CrmCompany)[field as 'phones' | 'emails'] ?? [];
  const mine = new Set([...desired, ...pushed]);
  return values
    .map((v) => transformValue(v, em.fields[field]?.transforms ?? []) ?? v)
    .filter((v) => mine.has(v));
}

/**
 * A field's value in a CRM record as the planner compares it: canonical, tax details only when Sverka's
 * own, and for phones/e-mails only the CRM's values that are 1C's now (`onecValue`) or were pushed before
 * (`pushed`) — a person's own extra values are left out. Used to record what the CRM held when a conflict
 * was settled there.
 */
export function crmFieldValue(
  entity: SyncEntity,
  mapping: Mapping,
  field: string,
  cur: CrmCurrent,
  onecValue: string,
  pushed: string | undefined,
): string {
  if (!MULTI_FIELDS.has(field)) return currentScalar(entity, field, cur);
  return canonicalList(currentOurs(mapping[entity], field, cur, listOf(onecValue), listOf(pushed)));
}

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

function taxIdsOf(c: OneCCounterparty, v: Record<string, string | string[] | null>, name: string): CrmTaxIds {
  return {
    kind: partyKind(c),
    inn: String(v.inn ?? ''),
    kpp: String(v.kpp ?? ''),
    ogrn: String(v.ogrn ?? ''),
    fullName: String(v.fullName ?? ''),
    name,
  };
}

/** The create fields of a record: every mapped field, phones and e-mails as values to add. */
function createFields(entity: SyncEntity, rec: OneCRecordMap[SyncEntity], d: Desired): PlannedFields {
  const v = d.values;
  const add = (f: string): ValuesChange => ({ add: (v[f] as string[]) ?? [], remove: [] });
  if (entity === 'counterparties')
    return {
      title: String(v.title),
      sourceVersion: rec.dataVersion,
      phones: add('phones'),
      emails: add('emails'),
      taxIds: taxIdsOf(rec as OneCCounterparty, v, String(v.title)),
    } satisfies CompanyFields;
  if (entity === 'contacts')
    return {
      lastName: String(v.lastName),
      firstName: String(v.firstName),
      middleName: String(v.middleName),
      companyId: v.companyId as string,
      sourceVersion: rec.dataVersion,
      phones: add('phones'),
      emails: add('emails'),
    } satisfies ContactFields;
  return {
    title: String(v.title),
    stage: String(v.stage),
    amount: String(v.amount),
    currency: String(v.currency),
    companyId: v.companyId as string,
    comments: String(v.comments),
  } satisfies DealFields;
}

/** Plans one entity's records. Pure: same input → same plan. */
export function planSync<E extends SyncEntity>(input: PlanInput<E>): SyncPlan {
  const plan = emptyPlan();
  const { entity, mapping: m, now } = input;
  const em: EntityMapping = m[entity];
  for (const rec of input.records as OneCRecordMap[SyncEntity][]) {
    const match = input.links.has(rec.ref) || rec.deletionMark ? undefined : input.matches?.get(rec.ref);
    // A match is planned against the person's record as if it were linked with nothing pushed yet.
    const link: PlanLink | undefined =
      input.links.get(rec.ref) ??
      (match
        ? { crmId: match.crmId, dataVersion: '', pushedValues: {}, flaggedAt: null, onecSeenAt: null }
        : undefined);
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
        // Never deleted in the CRM: a deal moves to the deleted stage; a CRM that can carry the
        // "deleted in 1C" flag gets it set.
        const cur = input.crm.get(link.crmId);
        const fields: Record<string, unknown> = {};
        const changes: PlannedChange[] = [];
        let pushedValues = link.pushedValues;
        if (entity === 'deals' && cur && (cur as CrmDeal).stage !== m.deals.deletedStage) {
          fields.stage = m.deals.deletedStage;
          changes.push({ field: 'stage', crm: (cur as CrmDeal).stage, onec: m.deals.deletedStage });
          pushedValues = { ...link.pushedValues, stage: m.deals.deletedStage };
        }
        if (cur && m.deletions === 'flag' && input.crmFlags) {
          fields.flagged = true;
          changes.push({ field: 'flagged', crm: 'false', onec: 'true' });
        }
        if (Object.keys(fields).length) {
          plan.update.push({
            ref: rec.ref,
            crmId: link.crmId,
            dataVersion: version,
            fields: fields as PlannedFields,
            changes,
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
      const stage = m.deals.statusMap[o.status];
      if (!stage) {
        plan.skip.push({
          ref: o.ref,
          reason: `the order status "${o.status}" has no stage in the mapping`,
          retry: false,
          dataVersion: version,
        });
        continue;
      }
      desired = desiredDeal(o, m, companyId, stage, input.amountDigits ?? 2);
    }
    plan.invalid.push(...desired.invalid);
    const owned = Object.entries(em.fields)
      .filter(([, r]) => r.owner !== 'crm')
      .map(([f]) => f);
    const desiredCanon: Record<string, string> = {};
    for (const f of Object.keys(em.fields)) desiredCanon[f] = canon(f, desired.values[f]);

    const cur = link ? input.crm.get(link.crmId) : undefined;
    if (!link || !cur) {
      // Create (a link whose CRM record is gone: the record is created again and the link replaced).
      const pushedValues = Object.fromEntries(owned.map((f) => [f, desiredCanon[f]]));
      plan.create.push({
        ref: rec.ref,
        dataVersion: version,
        fields: createFields(entity, rec, desired),
        pushedValues,
        pushedHash: hashValues(pushedValues),
      });
      continue;
    }
    // ---- update or unchanged ----
    const onecSeenAt = link.dataVersion === version && link.onecSeenAt ? link.onecSeenAt : now;
    const crmUpdated = parseTime(cur.updatedTime);
    const write: string[] = [];
    const changes: PlannedChange[] = [];
    const pushedValues: Record<string, string> = {};
    // A link whose writes are not all done (a create cut short, a record found by its key): what the CRM
    // holds counts as what sync pushed, so the record is completed rather than judged as edited by a person.
    const incomplete = link.dataVersion === null;
    for (const f of owned) {
      const r = em.fields[f];
      const current = MULTI_FIELDS.has(f)
        ? canonicalList(currentOurs(em, f, cur, listOf(desiredCanon[f]), listOf(link.pushedValues[f])))
        : currentScalar(entity, f, cur);
      const pushed = incomplete ? current : link.pushedValues[f];
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
        changes.push({ field: f, crm: current, onec: desiredCanon[f] });
        pushedValues[f] = desiredCanon[f];
      } else if (desiredCanon[f] === current) pushedValues[f] = current;
      else if (pushed !== undefined) pushedValues[f] = pushed;
    }
    const fields = updateFields(entity, em, rec, desired, desiredCanon, write, cur, link);
    if (entity === 'counterparties') {
      const taxIds = taxIdsUpdate(rec as OneCCounterparty, desired, desiredCanon, write, cur as CrmCompany);
      if (taxIds) {
        (fields as CompanyFields).taxIds = taxIds;
        if (!write.some((f) => (TAX_FIELDS as readonly string[]).includes(f))) {
          const mine = (cur as CrmCompany).taxIds;
          changes.push({ field: 'taxIds', crm: mine?.owned ? mine.name : '', onec: taxIds.name });
        }
      }
    }
    // Live again in 1C after being flagged: the "deleted in 1C" flag is cleared.
    if (link.flaggedAt !== null && input.crmFlags) {
      (fields as CompanyFields).flagged = false;
      changes.push({ field: 'flagged', crm: 'true', onec: 'false' });
    }
    const hash = hashValues(pushedValues);
    if (match) {
      plan.link.push({
        ref: rec.ref,
        crmId: link.crmId,
        dataVersion: version,
        fields,
        changes,
        pushedValues,
        pushedHash: hash,
        ...(match.matchedTaxIds ? { matchedTaxIds: match.matchedTaxIds } : {}),
      });
      continue;
    }
    if (Object.keys(fields).length === 0) {
      plan.unchanged.push({
        ref: rec.ref,
        crmId: link.crmId,
        dataVersion: version,
        pushedValues,
        pushedHash: hash,
      });
      continue;
    }
    plan.update.push({
      ref: rec.ref,
      crmId: link.crmId,
      dataVersion: version,
      fields,
      changes,
      pushedValues,
      pushedHash: hash,
    });
  }
  return plan;
}

/** The fields an update writes: the chosen scalar fields, and phones/e-mails as values to add and remove. */
function updateFields(
  entity: SyncEntity,
  em: EntityMapping,
  rec: OneCRecordMap[SyncEntity],
  d: Desired,
  desiredCanon: Record<string, string>,
  write: string[],
  cur: CrmCurrent,
  link: PlanLink,
): PlannedFields {
  const out: Record<string, unknown> = {};
  for (const f of write) {
    if (entity === 'counterparties' && (TAX_FIELDS as readonly string[]).includes(f)) continue;
    if (MULTI_FIELDS.has(f)) {
      const want = listOf(desiredCanon[f]);
      const have = new Set(
        ((cur as CrmCompany)[f as 'phones' | 'emails'] ?? []).map(
          (v) => transformValue(v, em.fields[f]?.transforms ?? []) ?? v,
        ),
      );
      out[f] = {
        add: want.filter((v) => !have.has(v)),
        // Only values sync pushed before and 1C no longer has; a person's values stay.
        remove: listOf(link.pushedValues[f]).filter((v) => !want.includes(v)),
      } satisfies ValuesChange;
      continue;
    }
    out[f] = d.values[f];
  }
  if (entity !== 'deals' && Object.keys(out).length > 0) out.sourceVersion = rec.dataVersion;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as PlannedFields;
}

/**
 * The tax details to write for a linked company: when it has none of Sverka's own yet, when a tax field
 * is written, or when the name on them is not the title the company will show (also after a crash between
 * the company's write and its tax details'). Fields kept on the CRM side keep their current values.
 */
function taxIdsUpdate(
  c: OneCCounterparty,
  d: Desired,
  desiredCanon: Record<string, string>,
  write: string[],
  cur: CrmCompany,
): CrmTaxIds | undefined {
  const mine = cur.taxIds?.owned ? cur.taxIds : null;
  const finalTitle = write.includes('title') ? desiredCanon.title : cur.title;
  const taxWritten = write.some((f) => (TAX_FIELDS as readonly string[]).includes(f));
  if (mine && !taxWritten && mine.name === finalTitle) return undefined;
  const full = taxIdsOf(c, d.values, finalTitle);
  if (mine) for (const f of TAX_FIELDS) if (!write.includes(f)) full[f] = mine[f];
  return full;
}
