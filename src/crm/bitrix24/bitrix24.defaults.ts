import type { CrmMappingDefaults } from '../../mapping/mapping.types.js';

/** The default mapping's deal stages on a Bitrix24 portal (pipeline 0 `STATUS_ID`s; docs/protocols/bitrix24.md). */
export const BITRIX24_MAPPING_DEFAULTS: CrmMappingDefaults = {
  statusMap: {
    НеСогласован: 'NEW',
    КОбеспечению: 'PREPARATION',
    КВыполнению: 'EXECUTING',
    КОтгрузке: 'FINAL_INVOICE',
    Закрыт: 'WON',
  },
  deletedStage: 'LOSE',
};
