import { createHmac } from 'node:crypto';
import { verifyDoorbell, type VerifyDoorbellInput } from './verify-doorbell.js';

const SECRET = 'a-doorbell-secret-of-32-characters';
const NOW = 1_790_000_000;
const sign = (body: string | Buffer, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function input(body: string, over: Partial<VerifyDoorbellInput> = {}): VerifyDoorbellInput {
  return {
    rawBody: Buffer.from(body, 'utf8'),
    signature: sign(body),
    secret: SECRET,
    nowSeconds: NOW,
    ...over,
  };
}

describe('verifyDoorbell', () => {
  const good = JSON.stringify({ node: 'SVERKA', pending: 17, ts: NOW - 3 });

  it('accepts a doorbell signed over its raw bytes, within 5 minutes', () => {
    expect(verifyDoorbell(input(good))).toEqual({
      ok: true,
      doorbell: { node: 'SVERKA', pending: 17, ts: NOW - 3 },
    });
  });

  it('accepts upper-case hex and surrounding blanks in the header', () => {
    expect(
      verifyDoorbell(input(good, { signature: ` ${sign(good).toUpperCase().replace('SHA256', 'sha256')} ` }))
        .ok,
    ).toBe(true);
  });

  it('signs the bytes, not the JSON: the same object with other spacing does not verify', () => {
    const spaced = JSON.stringify(JSON.parse(good), null, 1);
    expect(verifyDoorbell(input(spaced, { signature: sign(good) }))).toEqual({
      ok: false,
      status: 401,
      reason: 'the signature does not match',
    });
  });

  it.each([
    ['no secret configured', { secret: undefined }, 'the doorbell is not configured (ONEC_FEED_SECRET)'],
    ['no header', { signature: undefined }, 'the X-Sverka-Signature header is missing'],
    ['two headers', { signature: ['a', 'b'] }, 'the X-Sverka-Signature header is missing'],
    [
      'no sha256= prefix',
      { signature: 'a'.repeat(64) },
      'the X-Sverka-Signature header is not sha256=<64 hex digits>',
    ],
    [
      'short hex',
      { signature: 'sha256=abcd' },
      'the X-Sverka-Signature header is not sha256=<64 hex digits>',
    ],
    [
      'another secret',
      { signature: sign(good, 'another-secret-of-32-characters!') },
      'the signature does not match',
    ],
    ['no body read', { rawBody: undefined }, 'the signature does not match'],
  ])('refuses with 401: %s', (_name, over, reason) => {
    expect(verifyDoorbell(input(good, over as Partial<VerifyDoorbellInput>))).toEqual({
      ok: false,
      status: 401,
      reason,
    });
  });

  it.each([
    ['an old ts', NOW - 301],
    ['a ts from the future', NOW + 301],
  ])('refuses %s with 401 (replay and clock guard)', (_name, ts) => {
    const body = JSON.stringify({ node: 'SVERKA', pending: 1, ts });
    expect(verifyDoorbell(input(body))).toEqual({
      ok: false,
      status: 401,
      reason: "ts is more than 300 s away from the server's clock",
    });
  });

  it('accepts ts exactly 300 s away', () => {
    expect(verifyDoorbell(input(JSON.stringify({ node: 'SVERKA', pending: 0, ts: NOW - 300 }))).ok).toBe(
      true,
    );
  });

  it.each([
    ['not JSON', 'ring!', 'the body is not JSON'],
    ['a list', '[1]', 'the body is not a JSON object'],
    ['another node', JSON.stringify({ node: 'B24', pending: 1, ts: NOW }), 'node must be "SVERKA"'],
    [
      'pending as text',
      JSON.stringify({ node: 'SVERKA', pending: '1', ts: NOW }),
      'pending must be a whole number ≥ 0',
    ],
    [
      'negative pending',
      JSON.stringify({ node: 'SVERKA', pending: -1, ts: NOW }),
      'pending must be a whole number ≥ 0',
    ],
    [
      'ts in milliseconds as text',
      JSON.stringify({ node: 'SVERKA', pending: 1, ts: '1790000000' }),
      'ts must be whole unix seconds',
    ],
    [
      'fractional ts',
      JSON.stringify({ node: 'SVERKA', pending: 1, ts: NOW + 0.5 }),
      'ts must be whole unix seconds',
    ],
  ])('refuses a correctly signed but malformed body with 400: %s', (_name, body, reason) => {
    expect(verifyDoorbell(input(body))).toEqual({ ok: false, status: 400, reason });
  });

  it('never puts the secret or the expected signature into a reason', () => {
    const verdict = verifyDoorbell(input(good, { signature: `sha256=${'0'.repeat(64)}` }));
    expect(JSON.stringify(verdict)).not.toContain(SECRET);
    expect(JSON.stringify(verdict)).not.toContain(sign(good).slice(7));
  });
});
