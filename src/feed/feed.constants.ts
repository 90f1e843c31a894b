/** The doorbell's signature header (lower case, as Node exposes it): `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = 'x-sverka-signature';
/** A doorbell whose `ts` is further than this from our clock (either way) is refused: replay and clock guard. */
export const MAX_CLOCK_SKEW_SECONDS = 300;
/** The exchange-plan node of the SverkaFeed extension that rings. */
export const FEED_NODE = 'SVERKA';
/** The least time between the starts of two feed pulls: a storm of doorbells gives one pull, then at most one more. */
export const MIN_PULL_INTERVAL_MS = 1000;
/** A pull that found the sync slot taken (a scan or another instance's pull) tries again after this. */
export const BUSY_RETRY_MS = 2000;
