import { CrmError, CrmErrorCode } from '../crm.error.js';

/**
 * amoCRM's answers as CrmErrors (docs/protocols/amocrm.md#errors), pure. Clients branch on the HTTP
 * status, never on `detail` (localised). A 401 names AMOCRM_TOKEN; a 403 is a missing right or, as an
 * HTML page, an account blocked for exceeding the request limit — never retried.
 */

/** How the client treats a failure. */
export type FailureKind =
  /** 429: the request was refused, not run: wait (`retry_after` when given) and send it again. */
  | 'rate'
  /** 5xx, timeouts, network errors: the request may have run (a write may be saved). */
  | 'transient'
  /** Anything else: no retry. */
  | 'final';

export class AmoFailure {
  constructor(
    readonly error: CrmError,
    readonly kind: FailureKind,
    /** 429: seconds amoCRM asked to wait (its problem+json `retry_after`). */
    readonly retryAfterS?: number,
  ) {}
}

/** One failing value of one item of a write: Symfony-style code, the dotted path inside the item, a text. */
export interface AmoItemError {
  code: string;
  path: string;
  detail: string;
}

/** The errors of one item of a write, keyed by its `request_id`. */
export interface AmoValidationEntry {
  request_id: string;
  errors: AmoItemError[];
}

/** `where`: the method and path (`PATCH /api/v4/companies`) — never a token. */
export function mapAmoError(status: number, body: unknown, where: string): AmoFailure {
  const json = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  const detail = typeof json?.detail === 'string' && json.detail ? json.detail : json ? 'no detail' : 'not JSON';
  const text = `amoCRM ${where}: HTTP ${status} (${detail})`;
  const fail = (code: CrmErrorCode, kind: FailureKind, message = text) =>
    new AmoFailure(new CrmError(code, message, status, json && typeof json.title === 'string' ? json.title : undefined), kind);
  if (status === 401)
    return fail(
      CrmErrorCode.UNAUTHORIZED,
      'final',
      `amoCRM rejected AMOCRM_TOKEN (HTTP 401 on ${where}): the long-lived token has expired, was revoked or is not this account's — generate a new one in the private integration's "Keys and scopes" and set AMOCRM_TOKEN`,
    );
  if (status === 402)
    return fail(
      CrmErrorCode.FORBIDDEN,
      'final',
      `amoCRM refused ${where} (HTTP 402 Payment required): the account's paid period has ended`,
    );
  if (status === 403)
    return json
      ? fail(
          CrmErrorCode.FORBIDDEN,
          'final',
          `amoCRM refused ${where} (HTTP 403: ${detail}): the AMOCRM_TOKEN's user lacks a right (the token of a private integration carries its administrator's rights) or this address is not allowed`,
        )
      : fail(
          CrmErrorCode.FORBIDDEN,
          'final',
          `amoCRM refuses every request (HTTP 403 page on ${where}): the account is blocked, most likely for exceeding the request limit — ask amoCRM support to lift the block, and lower AMOCRM_RPS if other integrations share the account`,
        );
  if (status === 429) {
    const after = typeof json?.retry_after === 'number' && json.retry_after > 0 ? json.retry_after : undefined;
    return new AmoFailure(
      new CrmError(CrmErrorCode.RATE_LIMITED, `amoCRM ${where}: HTTP 429 too many requests`, 429),
      'rate',
      after,
    );
  }
  if (status === 404)
    return fail(
      CrmErrorCode.CONFIGURATION,
      'final',
      `amoCRM has no ${where} (HTTP 404): check AMOCRM_BASE_URL — the account's address, like https://example.amocrm.ru`,
    );
  if (status === 405 || status === 422) return fail(CrmErrorCode.CONFIGURATION, 'final');
  if (status >= 500) return fail(CrmErrorCode.TEMPORARY, 'transient');
  if (status === 400) return fail(CrmErrorCode.INVALID, 'final');
  return fail(CrmErrorCode.BAD_RESPONSE, 'final');
}

/** A network error or a timeout: the request may have run. */
export function mapThrown(e: unknown, where: string, timeoutMs: number): AmoFailure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return new AmoFailure(new CrmError(CrmErrorCode.TIMEOUT, `amoCRM ${where}: no answer within ${timeoutMs} ms`), 'transient');
  const cause =
    typeof err.cause?.code === 'string' ? `: ${err.cause.code}` : typeof err.cause?.message === 'string' ? `: ${err.cause.message}` : '';
  return new AmoFailure(new CrmError(CrmErrorCode.TEMPORARY, `amoCRM ${where}: network error${cause}`), 'transient');
}

/** The `validation-errors` of a 400 answer to a write, or null when it has none. */
export function validationErrorsOf(body: unknown): AmoValidationEntry[] | null {
  const list = (body as Record<string, unknown> | null)?.['validation-errors'];
  if (!Array.isArray(list)) return null;
  const out: AmoValidationEntry[] = [];
  for (const e of list) {
    const entry = (e ?? {}) as Record<string, unknown>;
    const errors = Array.isArray(entry.errors) ? entry.errors : [];
    out.push({
      request_id: String(entry.request_id ?? ''),
      errors: errors.map((x) => {
        const r = (x ?? {}) as Record<string, unknown>;
        return { code: String(r.code ?? ''), path: String(r.path ?? ''), detail: String(r.detail ?? '') };
      }),
    });
  }
  return out;
}

/**
 * One refused item as a per-write CrmError (INVALID). `fieldName` turns a path inside
 * `custom_fields_values` into the field's name («ИНН»), so the message says which value was refused.
 */
export function itemError(
  what: string,
  errors: AmoItemError[],
  fieldName: (index: number) => string | undefined = () => undefined,
): CrmError {
  const parts = errors.map((e) => {
    const m = /^custom_fields_values\.(\d+)(\..*)?$/.exec(e.path);
    const name = m ? fieldName(Number(m[1])) : undefined;
    const path = name ? `«${name}»${m![2] ?? ''}` : e.path || '(item)';
    return `${path}: ${e.code}${e.detail ? ` (${e.detail})` : ''}`;
  });
  return new CrmError(
    CrmErrorCode.INVALID,
    `amoCRM refused ${what}: ${parts.join('; ') || 'no reason given'}`,
    400,
    errors[0]?.code,
  );
}
