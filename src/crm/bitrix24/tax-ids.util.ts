import type { CrmTaxIds, PartyKind } from '../crm.types.js';
import type { Bitrix24Config } from './bitrix24.config.js';
import type { B24Requisite } from './bitrix24.types.js';

/**
 * A company's tax details on a Bitrix24 portal are requisites (docs/protocols/bitrix24.md, requisites).
 * Sverka keeps one per company, marked with the counterparty's key in `XML_ID`; the others are people's.
 * Pure.
 */

/** The party kind a requisite's preset stands for; a preset the config does not name is read from the numbers. */
export function kindOfRequisite(r: B24Requisite, presets: Bitrix24Config['presets']): PartyKind {
  if (r.name === presets.legal) return 'legal';
  if (r.name === presets.entrepreneur) return 'entrepreneur';
  if (r.name === presets.person) return 'person';
  if (r.inn.length === 12) return r.ogrn.length === 15 ? 'entrepreneur' : 'person';
  return 'legal';
}

export function taxIdsOfRequisite(r: B24Requisite, presets: Bitrix24Config['presets']): CrmTaxIds {
  const kind = kindOfRequisite(r, presets);
  return {
    kind,
    inn: r.inn,
    kpp: r.kpp,
    ogrn: r.ogrn,
    fullName: r.fullName || (kind === 'person' ? r.personName : ''),
    name: r.companyName,
  };
}

/** The requisite Sverka keeps for the company (XML_ID = its 1C key), else the company's first; null when none. */
export function pickRequisite(
  requisites: B24Requisite[],
  key: string | null,
): { requisite: B24Requisite; owned: boolean } | null {
  if (!requisites.length) return null;
  const owned = key ? requisites.find((r) => r.xmlId === key) : undefined;
  if (owned) return { requisite: owned, owned: true };
  const first = [...requisites].sort((a, b) => Number(a.id) - Number(b.id))[0];
  return { requisite: first, owned: false };
}

/** The `crm.requisite.add|update` fields of tax details (preset by kind; OGRNIP for a 15-digit number). */
export function requisiteFields(
  t: CrmTaxIds,
  key: string,
  presetId: string,
  presets: Bitrix24Config['presets'],
): Record<string, unknown> {
  const ogrn = t.ogrn.trim();
  return {
    PRESET_ID: Number(presetId),
    NAME: presets[t.kind],
    XML_ID: key,
    RQ_INN: t.inn,
    RQ_KPP: t.kpp,
    RQ_COMPANY_NAME: t.name,
    RQ_COMPANY_FULL_NAME: t.fullName,
    ...(t.kind === 'person' ? { RQ_NAME: t.fullName || t.name } : {}),
    ...(ogrn.length === 15 ? { RQ_OGRNIP: ogrn } : { RQ_OGRN: ogrn }),
  };
}
