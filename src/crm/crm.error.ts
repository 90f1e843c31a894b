/** Why a CRM call failed. Branch on the code, never on the message. */
export enum CrmErrorCode {
  /** Wrong webhook secret, expired or missing scope: stop the run, tell the user what to fix. */
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  /** The item does not exist (Bitrix24 answers 400 NOT_FOUND). */
  NOT_FOUND = 'NOT_FOUND',
  /** A value the CRM refused for this record: a per-record failure. */
  INVALID = 'INVALID',
  /** Rate limit (503 QUERY_LIMIT_EXCEEDED) or operating-time limit (429) still hit after retries. */
  RATE_LIMITED = 'RATE_LIMITED',
  TIMEOUT = 'TIMEOUT',
  /** 5xx and network errors after retries. */
  TEMPORARY = 'TEMPORARY',
  /** Wrong entity type, unknown method, portal blocked: a configuration problem. */
  CONFIGURATION = 'CONFIGURATION',
  BAD_RESPONSE = 'BAD_RESPONSE',
}

export class CrmError extends Error {
  constructor(
    readonly code: CrmErrorCode,
    message: string,
    readonly status?: number,
    /** The CRM's own error code (e.g. `QUERY_LIMIT_EXCEEDED`), for logs and reports. */
    readonly crmCode?: string,
  ) {
    super(message);
    this.name = 'CrmError';
  }

  get retryable(): boolean {
    return (
      this.code === CrmErrorCode.TEMPORARY ||
      this.code === CrmErrorCode.TIMEOUT ||
      this.code === CrmErrorCode.RATE_LIMITED
    );
  }

  /** Errors that stop a whole run rather than one record. */
  get fatal(): boolean {
    return (
      this.code === CrmErrorCode.UNAUTHORIZED ||
      this.code === CrmErrorCode.FORBIDDEN ||
      this.code === CrmErrorCode.CONFIGURATION
    );
  }
}
