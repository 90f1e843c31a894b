/**
 * Bitrix24's own shapes that the adapter keeps to itself (never returned through CrmPort): requisites
 * (the records holding a company's tax details) and `fm` entries (phones and e-mails with their ids).
 */

/** A company requisite (`crm.requisite.*`, ENTITY_TYPE_ID 4). */
export interface B24Requisite {
  id: string;
  companyId: string;
  presetId: string;
  /** The requisite's NAME (Sverka writes the preset name). */
  name: string;
  /** External key: the counterparty `Ref_Key` on the requisite Sverka keeps for a company. */
  xmlId: string | null;
  inn: string;
  kpp: string;
  companyName: string;
  fullName: string;
  /** RQ_NAME: a private person's name (preset "Физ. лицо"). */
  personName: string;
  ogrn: string;
}

export type FmType = 'PHONE' | 'EMAIL';

/** One `fm` entry of a company or contact. */
export interface FmEntry {
  id: string | null;
  typeId: FmType;
  value: string;
  valueType: string;
}

/** What the mapping's `bitrix24:` section and the setting ONEC_ORIGINATOR_ID decide about reading rows. */
export interface B24ReadContext {
  /** The user field that carries the "deleted in 1C" flag and its value (none: nothing is flagged). */
  marker?: { field: string; value: string };
}
