import { CrmError, CrmErrorCode } from '../crm.error.js';

/** How the client treats a failure (docs/protocols/bitrix24.md#client-policy). */
export type FailureKind =
  /** 503 QUERY_LIMIT_EXCEEDED: back off 1…32 s. */
  | 'query_limit'
  /** 429 OPERATION_TIME_LIMIT: pause the method until operating_reset_at. */
  | 'operating'
  /** 500, timeouts, network: 3 retries; a write may or may not have been saved. */
  | 'transient'
  /** Anything else: no retry. */
  | 'final';

export class B24Failure {
  constructor(
    readonly error: CrmError,
    readonly kind: FailureKind,
  ) {}
}

const READ_METHODS = /\.(list|get|fields)$/;

/**
 * Maps a Bitrix24 error (HTTP status + `error` code, never the description:
 * docs/protocols/bitrix24.md#calling-convention) to a CrmError.
 * `where` is the method (`crm.item.get`) for the message; `secretFree` text only. 401/403 messages say
 * what to fix.
 */
export function mapB24Error(status: number, code: unknown, description: unknown, method: string): B24Failure {
  const c = code === undefined || code === null ? '' : String(code);
  const desc = typeof description === 'string' && description ? description : 'no description';
  const text = `Bitrix24 ${method}: ${status ? `HTTP ${status} ` : ''}${c || '(no code)'}: ${desc}`;
  const fail = (code: CrmErrorCode, kind: FailureKind, message = text) =>
    new B24Failure(new CrmError(code, message, status || undefined, c || undefined), kind);

  if (c === 'QUERY_LIMIT_EXCEEDED') return fail(CrmErrorCode.RATE_LIMITED, 'query_limit');
  if (c === 'OPERATION_TIME_LIMIT' || status === 429) return fail(CrmErrorCode.RATE_LIMITED, 'operating');
  // By code first: the statuses of these differ between older descriptions (403/503,
  // docs/protocols/bitrix24.md#errors) and the docs' `_includes/system-errors.md` (401); the code says what
  // to fix either way.
  if (c === 'OVERLOAD_LIMIT')
    return fail(
      CrmErrorCode.CONFIGURATION,
      'final',
      `${text} — the portal has blocked REST API calls; ask Bitrix24 support to lift the block`,
    );
  if (c === 'insufficient_scope')
    return fail(
      CrmErrorCode.FORBIDDEN,
      'final',
      `Bitrix24 webhook lacks a permission (${status} insufficient_scope): add the "CRM (crm)" scope to the incoming webhook in BITRIX24_WEBHOOK_URL`,
    );
  if (c === 'allowed_only_intranet_user')
    return fail(
      CrmErrorCode.FORBIDDEN,
      'final',
      `Bitrix24 refused the webhook user (${status} allowed_only_intranet_user): create the webhook as an intranet (employee) user, not an extranet one`,
    );
  if (c === 'ACCESS_DENIED' && (status === 401 || status === 403))
    return fail(
      CrmErrorCode.FORBIDDEN,
      'final',
      `Bitrix24 refused REST access (${status} ACCESS_DENIED): the REST API needs a commercial plan (subscription) on this portal — ${desc}`,
    );
  if (c === 'PORTAL_DELETED')
    return fail(
      CrmErrorCode.CONFIGURATION,
      'final',
      `${text} — the portal is deleted or its public part is closed`,
    );
  if (
    status === 401 ||
    ['NO_AUTH_FOUND', 'INVALID_CREDENTIALS', 'expired_token', 'user_access_error'].includes(c)
  )
    return fail(
      CrmErrorCode.UNAUTHORIZED,
      'final',
      `Bitrix24 rejected the webhook (${status || ''} ${c}): check BITRIX24_WEBHOOK_URL — the user id and the secret of an incoming webhook that still exists and has not expired`,
    );
  if (status === 403)
    return fail(
      CrmErrorCode.FORBIDDEN,
      'final',
      `Bitrix24 refused access (${status} ${c}): the webhook user needs access to the CRM — ${desc}`,
    );
  if (c === 'ACCESS_DENIED')
    return fail(CrmErrorCode.FORBIDDEN, 'final', `${text} — give the webhook user access to this CRM type`);
  if (status >= 500 || c === 'INTERNAL_SERVER_ERROR' || c === 'ERROR_UNEXPECTED_ANSWER')
    return fail(CrmErrorCode.TEMPORARY, 'transient');
  if (c === 'NOT_FOUND')
    // On get/update/delete the item is gone; on a list the type itself ("Smart process not found").
    return READ_METHODS.test(method) && !method.endsWith('.get')
      ? fail(CrmErrorCode.CONFIGURATION, 'final')
      : fail(CrmErrorCode.NOT_FOUND, 'final');
  if (
    c === 'ENTITY_TYPE_NOT_SUPPORTED' ||
    c === 'ERROR_METHOD_NOT_FOUND' ||
    c === 'ERROR_BATCH_METHOD_NOT_ALLOWED' ||
    c === 'ERROR_BATCH_LENGTH_EXCEEDED' ||
    c === 'INVALID_ARG_VALUE' ||
    c === 'INVALID_REQUEST' ||
    status === 404 ||
    status === 405
  )
    return fail(CrmErrorCode.CONFIGURATION, 'final');
  return fail(CrmErrorCode.INVALID, 'final');
}

/** A network error or timeout: the request may have been processed (a write may be saved). */
export function mapThrown(e: unknown, method: string, timeoutMs: number): B24Failure {
  const err = (typeof e === 'object' && e !== null ? e : {}) as {
    name?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return new B24Failure(
      new CrmError(CrmErrorCode.TIMEOUT, `Bitrix24 ${method}: no answer within ${timeoutMs} ms`),
      'transient',
    );
  const cause =
    typeof err.cause?.code === 'string'
      ? `: ${err.cause.code}`
      : typeof err.cause?.message === 'string'
        ? `: ${err.cause.message}`
        : '';
  return new B24Failure(
    new CrmError(CrmErrorCode.TEMPORARY, `Bitrix24 ${method}: network error${cause}`),
    'transient',
  );
}
