export {
  ONEC_FEED_PORT,
  DEFAULT_FEED_LIMIT,
  MAX_FEED_LIMIT,
  type OneCFeedPort,
  type OneCFeedMessage,
  type OneCFeedItem,
  type OneCFeedState,
} from './onec-feed.port.js';
export { OneCFeedAdapter, type OneCFeedAdapterOptions } from './onec-feed.adapter.js';
export { FeedHttp, mapFeedStatus, type FeedHttpOptions } from './feed-http.js';
export { feedSetIndex } from './feed-sets.js';
