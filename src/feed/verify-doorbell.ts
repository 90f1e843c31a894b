import { createHmac, timingSafeEqual } from 'node:crypto';
import { FEED_NODE, MAX_CLOCK_SKEW_SECONDS } from './feed.constants.js';

/** The body of the 1C doorbell (docs/protocols/onec-change-feed.md). */
export interface Doorbell {
  node: string;
  /** Registrations waiting in 1C when it rang. */
  pending: number;
  /** Unix seconds when 1C rang. */
  ts: number;
}

export type DoorbellVerdict =
  { ok: true; doorbell: Doorbell } | { ok: false; status: 400 | 401; reason: string };

export interface VerifyDoorbellInput {
  /** The request body exactly as received (undefined when no body was read). */
  rawBody: Buffer | undefined;
  /** The `X-Sverka-Signature` header. */
  signature: string | string[] | undefined;
  /** ONEC_FEED_SECRET; undefined when the doorbell is not configured. */
  secret: string | undefined;
  /** Our clock, unix seconds. */
  nowSeconds: number;
  maxSkewSeconds?: number;
}

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks a doorbell, in this order:
 * 1. the signature (401): `sha256=` + 64 hex digits equal to HMAC-SHA256(secret, raw body), compared in
 *    constant time — before anything of the body is parsed, so an unsigned caller learns nothing;
 * 2. the body (400): JSON `{ node: "SVERKA", pending: whole number ≥ 0, ts: whole unix seconds }`;
 * 3. the time (401): `ts` within `maxSkewSeconds` (default 5 minutes) of `nowSeconds`, either way, so a
 *    captured doorbell cannot be replayed later. A replay inside the window only asks for one more pull.
 * Reasons never contain the secret or the expected signature.
 */
export function verifyDoorbell(input: VerifyDoorbellInput): DoorbellVerdict {
  const refuse = (status: 400 | 401, reason: string): DoorbellVerdict => ({ ok: false, status, reason });
  if (!input.secret) return refuse(401, 'the doorbell is not configured (ONEC_FEED_SECRET)');
  const header = Array.isArray(input.signature) ? undefined : input.signature?.trim();
  if (!header) return refuse(401, 'the X-Sverka-Signature header is missing');
  const m = SIGNATURE.exec(header);
  if (!m) return refuse(401, 'the X-Sverka-Signature header is not sha256=<64 hex digits>');
  const body = input.rawBody ?? Buffer.alloc(0);
  const expected = createHmac('sha256', input.secret).update(body).digest();
  if (!timingSafeEqual(Buffer.from(m[1], 'hex'), expected))
    return refuse(401, 'the signature does not match');

  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(400, 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return refuse(400, 'the body is not a JSON object');
  const { node, pending, ts } = parsed as Record<string, unknown>;
  if (node !== FEED_NODE) return refuse(400, `node must be "${FEED_NODE}"`);
  if (typeof pending !== 'number' || !Number.isSafeInteger(pending) || pending < 0)
    return refuse(400, 'pending must be a whole number ≥ 0');
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts <= 0)
    return refuse(400, 'ts must be whole unix seconds');

  const skew = input.maxSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS;
  if (Math.abs(input.nowSeconds - ts) > skew)
    return refuse(401, `ts is more than ${skew} s away from the server's clock`);
  return { ok: true, doorbell: { node, pending, ts } };
}
