/**
 * Errors of the fake amoCRM account as amoCRM sends them: `application/problem+json` with `title`,
 * `type` (`https://httpstatus.es/<code>`), `status`, `detail`, and on a 400 of a write the per-item
 * `validation-errors` keyed by `request_id` (docs/protocols/amocrm.md#errors).
 */

/** One failing value of one item: Symfony-style code, the dotted path inside the item, a fixed text. */
export interface ItemError {
  code: string;
  path: string;
  detail: string;
}

/** The errors of one item of a write, keyed by its `request_id` (given, or the item's index as a string). */
export interface ValidationEntry {
  request_id: string;
  errors: ItemError[];
}

export class AmoSimError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** Extra members of the body (`validation-errors`, `retry_after`, `trace_id`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  /** The problem+json body, `validation-errors` first as amoCRM orders it. */
  body(): Record<string, unknown> {
    const { 'validation-errors': v, ...rest } = this.extra;
    return {
      ...(v !== undefined ? { 'validation-errors': v } : {}),
      title: this.title,
      type: `https://httpstatus.es/${this.status}`,
      status: this.status,
      detail: this.detail,
      ...rest,
    };
  }
}

/** The texts amoCRM's validator uses (Symfony constraint messages). */
export const ERR = {
  choice: (path: string): ItemError => ({
    code: 'NotSupportedChoice',
    path,
    detail: 'The value you selected is not a valid choice.',
  }),
  type: (path: string, type: string): ItemError => ({
    code: 'InvalidType',
    path,
    detail: `This value should be of type ${type}.`,
  }),
  blank: (path: string): ItemError => ({ code: 'NotBlank', path, detail: 'This value should not be blank.' }),
  /** The simulator's own answer for an `id` that does not exist in a PATCH (undocumented by amoCRM). */
  notFound: (path: string): ItemError => ({ code: 'NotFound', path, detail: 'Entity not found.' }),
};

export const PROBLEM = {
  validation: (entries: ValidationEntry[]) =>
    new AmoSimError(400, 'Bad Request', 'Request validation failed', { 'validation-errors': entries }),
  badRequest: (detail: string) => new AmoSimError(400, 'Bad Request', detail),
  empty: () => new AmoSimError(400, 'Bad Request', 'Request data can not be empty'),
  unauthorized: () => new AmoSimError(401, 'Unauthorized', 'Неверный логин или пароль'),
  paymentRequired: () => new AmoSimError(402, 'Payment Required', 'Payment required'),
  notFound: (detail: string) => new AmoSimError(404, 'Not Found', detail),
  methodNotAllowed: () => new AmoSimError(405, 'Method Not Allowed', 'Method Not Allowed'),
  limit250: () => new AmoSimError(422, 'Unprocessable Entity', 'Limit 250 per page'),
  limit50: () => new AmoSimError(422, 'Unprocessable Entity', 'Limit 50 per page'),
  tooManyRequests: (retryAfter: number) =>
    new AmoSimError(429, 'Too Many Requests', 'You have sent too many requests in a given amount of time', {
      retry_after: retryAfter,
    }),
  internal: (traceId: string) =>
    new AmoSimError(500, 'ErrInternalServer', 'Internal server error', { trace_id: traceId }),
};

/** The nginx page an API block answers with (observed on amocrm.ru, not JSON). */
export const BLOCKED_HTML =
  '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** An HTML 429 page, for the mode where the rate limit answers HTML instead of JSON. */
export const TOO_MANY_HTML =
  '<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** A gateway's page for a write that took too long (the write may have been saved). */
export const GATEWAY_TIMEOUT_HTML =
  '<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
