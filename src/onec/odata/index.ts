export {
  OneCODataAdapter,
  PAGE_SIZE,
  KEYS_PER_REQUEST,
  type OneCODataAdapterOptions,
} from './odata.adapter.js';
export {
  ODataHttp,
  DEFAULT_RETRY_DELAYS_MS,
  DEFAULT_TIMEOUT_MS,
  type ODataHttpOptions,
} from './odata-http.js';
