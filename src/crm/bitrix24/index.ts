/** The Bitrix24 adapter of CrmPort (see bitrix24.adapter.ts) and its pieces. */
export { Bitrix24Adapter, type Bitrix24AdapterOptions } from './bitrix24.adapter.js';
export { Bitrix24Http, type Bitrix24HttpOptions } from './bitrix24-http.js';
export { LeakyBucket, portalLimiter, resetPortalLimiters } from './leaky-bucket.js';
export { buildPhpQuery, batchCommand } from './php-query.util.js';
export { fmChange, fmAdd } from './fm-diff.util.js';
export * from './converters/index.js';
