import type { Dataset } from '../dataset/dataset.types.js';
import type { DedupeRecord } from '../../src/dedupe/dedupe.types.js';

/**
 * Reads the simulators' data set (sim/dataset) as dedupe records: live 1C counterparty
 * rows (Description, НаименованиеПолное, ИНН, КПП, РегистрационныйНомер, КонтактнаяИнформация) and the
 * manager-created CRM companies with their requisites and phone/e-mail fields. For tests: an
 * independent check of dedupe against another generator's planted duplicates.
 */
export function recordsFromSimulatorDataset(ds: Dataset): DedupeRecord[] {
  const out: DedupeRecord[] = [];
  for (const row of ds.onec.counterparties) {
    if (row.IsFolder || row.DeletionMark) continue;
    const info = (row.КонтактнаяИнформация ?? []) as Record<string, unknown>[];
    const of = (kind: string, field: string) =>
      info.filter((c) => c.Тип === kind).map((c) => String(c[field] || c.Представление || ''));
    out.push({
      system: 'onec',
      id: String(row.Ref_Key),
      name: String(row.Description ?? ''),
      fullName: String(row.НаименованиеПолное ?? ''),
      inn: String(row.ИНН ?? ''),
      kpp: String(row.КПП ?? '').trim(),
      ogrn: String(row.РегистрационныйНомер ?? ''),
      phones: of('Телефон', 'НомерТелефона'),
      emails: of('АдресЭлектроннойПочты', 'АдресЭП'),
    });
  }
  const requisites = new Map(ds.crm.requisites.map((r) => [r.ENTITY_ID, r]));
  for (const c of ds.crm.companies) {
    const rq = requisites.get(String(c.id));
    out.push({
      system: 'crm',
      id: String(c.id),
      name: c.title,
      inn: rq?.RQ_INN || null,
      kpp: rq?.RQ_KPP || null,
      ogrn: rq?.RQ_OGRN || rq?.RQ_OGRNIP || null,
      phones: c.fm.filter((f) => f.typeId === 'PHONE').map((f) => f.value),
      emails: c.fm.filter((f) => f.typeId === 'EMAIL').map((f) => f.value),
      linkedTo: c.originId,
    });
  }
  return out;
}
