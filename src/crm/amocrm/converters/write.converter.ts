import { toKopecks } from '../../../common/money.js';
import { CrmError, CrmErrorCode } from '../../crm.error.js';
import type { CompanyFields, ContactFields, CrmWrite, DealFields } from '../../crm.types.js';
import type { AmoFieldIds, AmoCurrent, AmoRow } from '../amocrm.types.js';
import { formatExternalKey } from '../external-key.util.js';
import { applyValuesChange, newValues, type MultitextKind, type MultitextValue } from '../multitext.util.js';
import { fullNameOf } from './contact.converter.js';
import type { AmoPipelineRow } from './stage.converter.js';
import { statusIdOf } from './stage.converter.js';

/** What building a write needs: the entity's field ids (and names, for messages), the deal pipeline. */
export interface WriteContext {
  fields: AmoFieldIds;
  /** Field id → its name in the account (error messages name the field). */
  fieldNames: Map<number, string>;
  pipeline: AmoPipelineRow;
  /** The record as it is now (updates that change phones, e-mails, part of a name; a lead's price when known). */
  current?: AmoCurrent;
}

/** The item of an add or update request, and the names of its custom fields by position (for messages). */
export interface BuiltItem {
  item: AmoRow;
  cfNames: string[];
}

/**
 * One CrmWrite → the item of `POST|PATCH /api/v4/{companies,contacts,leads}` (docs/amocrm.md): a
 * company's title is `name`, its tax details the text fields, phones and e-mails the `PHONE`/`EMAIL`
 * lists (changes applied to the current list), the 1C key `<source>:<Ref_Key>` on create and on a link (a person's record adopted: the key, then the
 * fields as an update; tax details live on the company itself, so the matched ones need nothing more), the "deleted
 * in 1C" checkbox; a contact's `name` is «Фамилия Имя Отчество»; a lead's amount is `price` in whole
 * rubles (half away from zero), its stage a status of the pipeline (142/143 with `pipeline_id`), its
 * company linked on create. Links of contacts, and of leads after create, are the caller's (links API).
 * Pure: returns null for an update that changes nothing here, or throws CrmError INVALID.
 */
export function toAmoItem(write: CrmWrite, ctx: WriteContext): BuiltItem | null {
  const cf: AmoRow[] = [];
  const cfNames: string[] = [];
  const create = write.op === 'create';
  const text = (id: number | undefined, value: string | undefined) => {
    if (id === undefined || value === undefined) return;
    if (value === '' && create) return;
    cf.push({ field_id: id, values: value === '' ? null : [{ value }] });
    cfNames.push(ctx.fieldNames.get(id) ?? String(id));
  };
  const multi = (kind: MultitextKind, change: CompanyFields['phones']) => {
    if (!change) return;
    let values: MultitextValue[] | null;
    if (create) values = newValues(kind, change.add);
    else {
      if (!ctx.current) throw new CrmError(CrmErrorCode.NOT_FOUND, `amoCRM ${write.entity} ${write.id} not found`);
      values = applyValuesChange(kind, kind === 'PHONE' ? ctx.current.phones : ctx.current.emails, change);
    }
    if (values === null || (create && values.length === 0)) return;
    cf.push({ field_code: kind, values: values.length ? values.map(valueOut) : null });
    cfNames.push(kind === 'PHONE' ? 'Телефон' : 'Email');
  };
  const f = write.fields;
  const item: AmoRow = {};
  if (write.op !== 'create') {
    if (!/^[1-9]\d{0,18}$/.test(write.id)) throw new CrmError(CrmErrorCode.INVALID, `not an amoCRM id: ${write.id}`);
    item.id = Number(write.id);
  }
  // A create, and a link that adopts a person's record, write the 1C key.
  if (write.op !== 'update') text(ctx.fields.key, formatExternalKey(write.external));
  if (write.entity === 'companies') {
    const c = f as CompanyFields;
    if (c.title !== undefined) item.name = c.title;
    if (c.taxIds) {
      text(ctx.fields.inn, c.taxIds.inn);
      text(ctx.fields.kpp, c.taxIds.kpp);
      text(ctx.fields.ogrn, c.taxIds.ogrn);
      text(ctx.fields.fullName, c.taxIds.fullName);
    }
    multi('PHONE', c.phones);
    multi('EMAIL', c.emails);
  } else if (write.entity === 'contacts') {
    const c = f as ContactFields;
    if (c.lastName !== undefined) item.last_name = c.lastName;
    if (c.firstName !== undefined) item.first_name = c.firstName;
    if (c.lastName !== undefined || c.firstName !== undefined || c.middleName !== undefined) {
      const cur = create ? undefined : ctx.current;
      if (!create && !cur && (c.lastName === undefined || c.firstName === undefined || c.middleName === undefined))
        throw new CrmError(CrmErrorCode.NOT_FOUND, `amoCRM contacts ${item.id} not found`);
      item.name = fullNameOf(
        c.lastName ?? cur?.lastName ?? '',
        c.firstName ?? cur?.firstName ?? '',
        c.middleName ?? cur?.middleName ?? '',
      );
    }
    multi('PHONE', c.phones);
    multi('EMAIL', c.emails);
  } else {
    const d = f as DealFields;
    if (d.title !== undefined) item.name = d.title;
    if (d.amount !== undefined) {
      // Whole rubles: an amount with kopecks that rounds to the lead's price changes nothing.
      const price = wholeRubles(d.amount);
      if (create || ctx.current?.price !== price) item.price = price;
    }
    if (d.stage !== undefined) {
      const status = statusIdOf(ctx.pipeline, d.stage);
      if (status === undefined)
        throw new CrmError(
          CrmErrorCode.INVALID,
          `amoCRM pipeline «${ctx.pipeline.name}» has no status «${d.stage}» (the mapping's deals.statusMap names it)`,
        );
      item.status_id = status;
      item.pipeline_id = ctx.pipeline.id;
    } else if (create) item.pipeline_id = ctx.pipeline.id;
    if (create && d.companyId) item._embedded = { companies: [{ id: Number(d.companyId) }] };
  }
  if (f.flagged !== undefined && ctx.fields.deleted !== undefined) {
    if (f.flagged || !create) {
      cf.push({ field_id: ctx.fields.deleted, values: f.flagged ? [{ value: true }] : null });
      cfNames.push(ctx.fieldNames.get(ctx.fields.deleted) ?? String(ctx.fields.deleted));
    }
  }
  if (cf.length) item.custom_fields_values = cf;
  if (!create && Object.keys(item).length === 1) return null;
  return { item, cfNames };
}

/** A two-digit amount → whole rubles, half away from zero (amoCRM's `price` is an integer). */
export function wholeRubles(amount: string): number {
  const kop = toKopecks(amount);
  const abs = kop < 0n ? -kop : kop;
  const rub = (abs + 50n) / 100n;
  return Number(kop < 0n ? -rub : rub);
}

function valueOut(v: MultitextValue): AmoRow {
  if (v.enum_code) return { value: v.value, enum_code: v.enum_code };
  if (v.enum_id !== undefined) return { value: v.value, enum_id: v.enum_id };
  return { value: v.value };
}
