/**
 * Links that open a 1C object in the web client of the publication that serves the OData interface.
 * Pure.
 *
 * Format (1C:Enterprise 8.3 Developer Guide, appendix "URL formats"): an external link is
 * `<infobase address>#<internal link>`, and the internal link of an infobase object is
 * `e1cib/data/<metadata object>?ref=<reference>`, e.g.
 * `e1cib/data/Документ.РасходТовара?ref=8ca0000d8843cd1b11dc8d043d71007f`. The reference is the 16 bytes
 * of the object's key in the order 1C stores them, in hex: for the `Ref_Key` that OData shows,
 * `p1-p2-p3-p4-p5`, that is `p4 p5 p3 p2 p1` (the storage order, as Tool1CD's BinaryGuid reads it).
 * The infobase address is the publication's root: ONEC_ODATA_URL without `/odata/standard.odata`.
 */

const SET_KINDS: Record<string, string> = {
  Catalog: 'Справочник',
  Document: 'Документ',
  ChartOfCharacteristicTypes: 'ПланВидовХарактеристик',
  ChartOfAccounts: 'ПланСчетов',
  ExchangePlan: 'ПланОбмена',
  BusinessProcess: 'БизнесПроцесс',
  Task: 'Задача',
};

const GUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** The publication root (`https://srv/base/`) of `https://srv/base/odata/standard.odata`; null for another shape. */
export function publicationRootOf(odataUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(odataUrl);
  } catch {
    return null;
  }
  const m = /^(.*\/)odata\/standard\.odata\/?$/i.exec(u.pathname);
  return m ? `${u.origin}${m[1]}` : null;
}

/** `Справочник.Контрагенты` for the OData set `Catalog_Контрагенты`; null for a set with no object link. */
export function metadataNameOf(onecSet: string): string | null {
  const m = /^([A-Za-z]+)_(.+)$/.exec(onecSet);
  const kind = m ? SET_KINDS[m[1]] : undefined;
  return kind ? `${kind}.${m![2]}` : null;
}

/** The navigation `ref` of a `Ref_Key`: `a348aa8c-d629-11e5-0a9b-000c295e30eb` → `0a9b000c295e30eb11e5d629a348aa8c`. */
export function navigationRefOf(refKey: string): string | null {
  const m = GUID.exec(refKey.trim());
  if (!m) return null;
  return `${m[4]}${m[5]}${m[3]}${m[2]}${m[1]}`.toLowerCase();
}

/** The web-client link of one object, or null when any part cannot be formed. */
export function webClientUrl(odataUrl: string, onecSet: string, refKey: string): string | null {
  const root = publicationRootOf(odataUrl);
  const name = metadataNameOf(onecSet);
  const ref = navigationRefOf(refKey);
  if (!root || !name || !ref) return null;
  return `${root}#e1cib/data/${encodeURIComponent(name)}?ref=${ref}`;
}
