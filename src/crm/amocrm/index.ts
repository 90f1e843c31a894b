/** The amoCRM adapter of CrmPort (see amocrm.adapter.ts) and its pieces. */
export { AmoCrmAdapter, amoCrmConfigOf, AmoCrmConfigError, type AmoCrmAdapterOptions } from './amocrm.adapter.js';
export { AmoCrmHttp, type AmoCrmHttpOptions } from './amocrm-http.js';
export { RequestWindow, accountWindow, resetAccountWindows } from './request-window.js';
export { AMOCRM_MAPPING_DEFAULTS } from './amocrm.defaults.js';
export * from './converters/index.js';
