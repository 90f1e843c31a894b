import type { CrmMappingDefaults } from '../mapping/mapping.types.js';
import { BITRIX24_MAPPING_DEFAULTS } from './bitrix24/bitrix24.defaults.js';

export type CrmKind = 'bitrix24' | 'amocrm';

/** The deal stages of the default mapping, by CRM_KIND (each adapter's defaults file). */
export function crmMappingDefaults(kind: CrmKind): CrmMappingDefaults {
  switch (kind) {
    case 'bitrix24':
      return BITRIX24_MAPPING_DEFAULTS;
    case 'amocrm':
      throw new Error('CRM_KIND=amocrm: the amoCRM adapter is not built in yet');
  }
}
