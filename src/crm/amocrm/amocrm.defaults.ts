import type { CrmMappingDefaults } from '../../mapping/mapping.types.js';
import { LOST_STATUS, WON_STATUS } from './amocrm.constants.js';

/**
 * The default mapping's deal stages on an amoCRM account (docs/amocrm.md): statuses of the deal pipeline
 * by name — created at start when missing, after the pipeline's open statuses — and the closed ones by
 * their fixed ids, 142 (won) and 143 (lost: a deletion-marked order).
 */
export const AMOCRM_MAPPING_DEFAULTS: CrmMappingDefaults = {
  statusMap: {
    НеСогласован: 'Новый заказ',
    КОбеспечению: 'К обеспечению',
    КВыполнению: 'К выполнению',
    КОтгрузке: 'К отгрузке',
    Закрыт: String(WON_STATUS),
  },
  deletedStage: String(LOST_STATUS),
};
