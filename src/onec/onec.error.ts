/** Why a 1C call failed. Branch on the code, never on the message. */
export enum OneCErrorCode {
  UNAUTHORIZED = 'UNAUTHORIZED',
  NOT_FOUND = 'NOT_FOUND',
  /** Unknown or unpublished entity set: a configuration error. */
  CONFIGURATION = 'CONFIGURATION',
  /** Bad request (filter, literal): a bug or bad mapping, not retried. */
  INVALID = 'INVALID',
  TIMEOUT = 'TIMEOUT',
  /** 5xx, 502-504, network errors: retried, then this. */
  TEMPORARY = 'TEMPORARY',
  /** A response body the client cannot read. */
  BAD_RESPONSE = 'BAD_RESPONSE',
}

export class OneCError extends Error {
  constructor(
    readonly code: OneCErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'OneCError';
  }

  get retryable(): boolean {
    return this.code === OneCErrorCode.TEMPORARY || this.code === OneCErrorCode.TIMEOUT;
  }
}
