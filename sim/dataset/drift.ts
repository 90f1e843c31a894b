import { formatKopecks, toKopecks } from '../../src/common/money.js';
import { simMapping } from '../mapping.js';
import type {
  CrmCompanyItem,
  CrmRequisiteRow,
  Dataset,
  DriftExpectations,
  DriftOp,
  DriftPlan,
} from './dataset.types.js';
import { LEGAL_FORMS } from '../common/names.js';
import { Rng, subSeed } from '../common/prng.js';
import { LATIN_LOOKALIKE } from '../common/translit.js';

export type { DriftExpectations, DriftOp, DriftPlan } from './dataset.types.js';

export interface DriftOptions {
  /** Ops of each kind, default max(2, 1 % of counterparties). */
  perKind?: number;
}

const DEAL_STAGES = ['NEW', 'PREPARATION', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE'];

/**
 * Plans drift on a generated data set, deterministically from `seed`. Targets are live, clean
 * counterparties (no planted duplicate, invalid value or debt mismatch), each used by one op only,
 * so every expectation is unambiguous. Orders targeted are live, posted, with a mapped status.
 */
export function planDrift(dataset: Dataset, seed: number, opts: DriftOptions = {}): DriftPlan {
  const r = new Rng(subSeed(seed, 'drift'));
  const truth = dataset.truth;
  const statusMap = simMapping().deals.statusMap;
  const n = opts.perKind ?? Math.max(2, Math.round(dataset.options.counterparties * 0.01));
  const tainted = new Set<string>();
  for (const d of truth.duplicates) for (const m of d.members) if (m.system === 'onec') tainted.add(m.id);
  for (const i of truth.invalid) tainted.add(i.ref);
  for (const m of truth.debts.mismatches) tainted.add(m.ref);
  const rows = dataset.onec.counterparties.filter(
    (c) => !c.IsFolder && !c.DeletionMark && !tainted.has(c.Ref_Key as string),
  );
  const pool = r.shuffle([...rows]);
  // Each target row serves one op only (linear per call: 1M-row sets stay fast).
  const used = new Uint8Array(pool.length);
  const take = (k: number, pred: (row: (typeof rows)[number]) => boolean = () => true) => {
    const out: (typeof rows)[number][] = [];
    for (let i = 0; i < pool.length && out.length < k; i++) {
      if (used[i] || !pred(pool[i])) continue;
      used[i] = 1;
      out.push(pool[i]);
    }
    return out;
  };
  const ops: DriftOp[] = [];
  const expect: DriftExpectations = {
    fieldMismatches: [],
    missingInCrm: [],
    statusMismatches: [],
    debtMismatches: [],
    crossDuplicates: [],
  };

  for (const c of take(n)) {
    const onec = String(c.Description).trim();
    const title = `${onec} (ред.)`;
    ops.push({ op: 'editCompanyTitle', ref: c.Ref_Key as string, title });
    expect.fieldMismatches.push({
      ref: c.Ref_Key as string,
      field: 'title',
      onecValue: onec,
      crmValue: title,
    });
  }
  for (const c of take(n, (x) => String(x.ИНН).length >= 10)) {
    const inn = String(c.ИНН);
    const value = inn.slice(0, -1) + ((Number(inn.at(-1)) + 1) % 10);
    ops.push({ op: 'editRequisite', ref: c.Ref_Key as string, field: 'RQ_INN', value });
    expect.fieldMismatches.push({ ref: c.Ref_Key as string, field: 'inn', onecValue: inn, crmValue: value });
  }
  for (const c of take(n)) {
    ops.push({ op: 'deleteCompany', ref: c.Ref_Key as string });
    expect.missingInCrm.push(c.Ref_Key as string);
  }
  const deleted = new Set(expect.missingInCrm);
  const live = new Set(rows.map((c) => c.Ref_Key as string));
  const orders = r
    .shuffle(
      dataset.onec.orders.filter(
        (o) =>
          !o.DeletionMark &&
          o.Posted &&
          (o.Статус as string) in statusMap &&
          live.has(o.Контрагент_Key as string) &&
          !deleted.has(o.Контрагент_Key as string),
      ),
    )
    .slice(0, n);
  for (const o of orders) {
    const expected = statusMap[o.Статус as string];
    const stageId = r.pick(DEAL_STAGES.filter((s) => s !== expected));
    ops.push({ op: 'changeDealStage', orderRef: o.Ref_Key as string, stageId });
    expect.statusMismatches.push({
      orderRef: o.Ref_Key as string,
      expectedStage: expected,
      crmStage: stageId,
    });
  }
  for (const c of take(n, (x) =>
    (dataset.crm.invoicePlan[x.Ref_Key as string] ?? []).some(
      (i) => i.stageId === 'DT31_2:N' || i.stageId === 'DT31_2:S',
    ),
  )) {
    const ref = c.Ref_Key as string;
    const inv = dataset.crm.invoicePlan[ref].find(
      (i) => i.stageId === 'DT31_2:N' || i.stageId === 'DT31_2:S',
    )!;
    const delta = BigInt(r.int(500_00, 5_000_00));
    const amount = toKopecks(inv.amount) + delta;
    ops.push({ op: 'changeInvoiceSum', ref, xmlId: inv.xmlId, opportunity: Number(formatKopecks(amount)) });
    expect.debtMismatches.push({
      ref,
      onec: truth.debts.byRef[ref],
      crm: formatKopecks(toKopecks(truth.debts.crmOpenByRef[ref]) + delta),
    });
  }
  for (const c of take(n)) {
    const ref = c.Ref_Key as string;
    const title = variantTitle(r, String(c.Description).trim());
    const now = '2026-09-02T11:00:00+03:00';
    const legal = c.ЮридическоеФизическоеЛицо === 'ЮридическоеЛицо';
    ops.push({
      op: 'addCompany',
      duplicateOf: ref,
      company: {
        title,
        createdTime: now,
        updatedTime: now,
        createdBy: 3,
        updatedBy: 3,
        assignedById: 3,
        opened: 'Y',
        companyTypeId: 'CUSTOMER',
        originatorId: null,
        originId: null,
        originVersion: null,
        contactIds: [],
        comments: 'Завёл менеджер',
        hasPhone: 'N',
        hasEmail: 'N',
        fm: [],
      },
      requisite: {
        ENTITY_TYPE_ID: '4',
        PRESET_ID: legal ? '1' : '3',
        NAME: legal ? 'Организация' : 'ИП',
        XML_ID: null,
        ACTIVE: 'Y',
        RQ_INN: String(c.ИНН).trim(),
        RQ_KPP: String(c.КПП ?? '').trim(),
        RQ_OGRN: legal ? String(c.РегистрационныйНомер ?? '') : '',
        RQ_OGRNIP: legal ? '' : String(c.РегистрационныйНомер ?? ''),
        RQ_COMPANY_NAME: title,
        RQ_COMPANY_FULL_NAME: legal ? String(c.НаименованиеПолное ?? '') : '',
      },
    });
    expect.crossDuplicates.push({ ref, title });
  }
  return { seed, ops, expect };
}

const FORMS = LEGAL_FORMS.map((f) => f.short).join('|');
const FORM_LAST = new RegExp(`^(.*) (${FORMS})$`);
const FORM_FIRST = new RegExp(`^(${FORMS}) ["«](.*)["»]$`);

/** Another spelling: legal form moved (`X ООО` ↔ `ООО "X"`), else one Latin look-alike letter. */
function variantTitle(r: Rng, title: string): string {
  const tail = FORM_LAST.exec(title);
  if (tail) return `${tail[2]} "${tail[1]}"`;
  const head = FORM_FIRST.exec(title);
  if (head) return `${head[2]} ${head[1]}`;
  const chars = [...title];
  const idx = chars.map((ch, i) => (LATIN_LOOKALIKE[ch] ? i : -1)).filter((i) => i >= 0);
  if (!idx.length) return `${title}.`;
  const i = r.pick(idx);
  chars[i] = LATIN_LOOKALIKE[chars[i]];
  return chars.join('');
}

/**
 * What applyDrift needs from the CRM side: the Bitrix24 simulator's mutation API (or REST) behind a
 * small interface. Ids are CRM ids; lookups return undefined when the record is not there.
 */
export interface DriftTarget {
  /** The CRM company linked to the 1C counterparty (by originatorId + originId, or the link store). */
  companyIdOf(ref: string): Promise<string | number | undefined> | string | number | undefined;
  /** The CRM deal linked to the 1C order. */
  dealIdOf(orderRef: string): Promise<string | number | undefined> | string | number | undefined;
  updateCompany(id: string | number, fields: { title: string }): Promise<void> | void;
  /** Updates the requisite with this XML_ID on the company. */
  updateRequisite(
    companyId: string | number,
    xmlId: string,
    fields: Partial<Record<'RQ_INN' | 'RQ_KPP', string>>,
  ): Promise<void> | void;
  deleteCompany(id: string | number): Promise<void> | void;
  updateDeal(id: string | number, fields: { stageId: string }): Promise<void> | void;
  /**
   * Sets the amount of the invoice whose xmlId is given. A CRM without invoices (amoCRM by default)
   * leaves it out, and applyDrift skips those ops with a reason.
   */
  updateInvoiceByXmlId?(xmlId: string, fields: { opportunity: number }): Promise<void> | void;
  /** Adds a company (and its requisite when given); returns the new company id. */
  addCompany(
    company: Omit<CrmCompanyItem, 'id'>,
    requisite: Omit<CrmRequisiteRow, 'ID' | 'ENTITY_ID'> | null,
  ): Promise<string | number> | string | number;
}

export interface DriftResult {
  applied: number;
  /** Ops whose target was not found (e.g. the record was never synced). */
  skipped: { op: DriftOp['op']; key: string; reason: string }[];
  /** For addCompany: 1C ref → new CRM company id (the cross-duplicate expectations need it). */
  addedCompanyIdByRef: Record<string, string>;
}

/** Applies a drift plan through a DriftTarget, op by op, in plan order. */
export async function applyDrift(plan: DriftPlan, target: DriftTarget): Promise<DriftResult> {
  const result: DriftResult = { applied: 0, skipped: [], addedCompanyIdByRef: {} };
  const skip = (op: DriftOp['op'], key: string, reason: string) => result.skipped.push({ op, key, reason });
  for (const op of plan.ops) {
    switch (op.op) {
      case 'editCompanyTitle':
      case 'editRequisite':
      case 'deleteCompany': {
        const id = await target.companyIdOf(op.ref);
        if (id === undefined) {
          skip(op.op, op.ref, 'no linked company');
          continue;
        }
        if (op.op === 'editCompanyTitle') await target.updateCompany(id, { title: op.title });
        else if (op.op === 'editRequisite')
          await target.updateRequisite(id, op.ref, { [op.field]: op.value });
        else await target.deleteCompany(id);
        break;
      }
      case 'changeDealStage': {
        const id = await target.dealIdOf(op.orderRef);
        if (id === undefined) {
          skip(op.op, op.orderRef, 'no linked deal');
          continue;
        }
        await target.updateDeal(id, { stageId: op.stageId });
        break;
      }
      case 'changeInvoiceSum':
        if (!target.updateInvoiceByXmlId) {
          skip(op.op, op.xmlId, 'the CRM has no invoices');
          continue;
        }
        await target.updateInvoiceByXmlId(op.xmlId, { opportunity: op.opportunity });
        break;
      case 'addCompany':
        result.addedCompanyIdByRef[op.duplicateOf] = String(
          await target.addCompany(op.company, op.requisite),
        );
        break;
    }
    result.applied++;
  }
  return result;
}
