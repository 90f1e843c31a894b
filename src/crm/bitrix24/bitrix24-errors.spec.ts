import { CrmErrorCode } from '../crm.error.js';
import { mapB24Error, mapThrown } from './bitrix24-errors.js';

describe('mapB24Error: by status and code, never by description (docs/protocols/bitrix24.md#errors)', () => {
  const m = (status: number, code: unknown, method = 'crm.item.get') => {
    const f = mapB24Error(status, code, 'text', method);
    return [f.error.code, f.kind];
  };

  it('rate limits retry their own way', () => {
    expect(m(503, 'QUERY_LIMIT_EXCEEDED')).toEqual([CrmErrorCode.RATE_LIMITED, 'query_limit']);
    expect(m(0, 'QUERY_LIMIT_EXCEEDED')).toEqual([CrmErrorCode.RATE_LIMITED, 'query_limit']);
    expect(m(429, 'OPERATION_TIME_LIMIT')).toEqual([CrmErrorCode.RATE_LIMITED, 'operating']);
    expect(m(500, 'INTERNAL_SERVER_ERROR')).toEqual([CrmErrorCode.TEMPORARY, 'transient']);
    expect(m(500, 'ERROR_UNEXPECTED_ANSWER')).toEqual([CrmErrorCode.TEMPORARY, 'transient']);
    expect(m(502, undefined)).toEqual([CrmErrorCode.TEMPORARY, 'transient']);
  });

  it('auth, scope and plan errors stop the run under the documented and the older statuses alike', () => {
    for (const s of [401])
      for (const c of ['NO_AUTH_FOUND', 'INVALID_CREDENTIALS', 'expired_token'])
        expect(m(s, c)).toEqual([CrmErrorCode.UNAUTHORIZED, 'final']);
    for (const s of [401, 403]) {
      expect(m(s, 'insufficient_scope')).toEqual([CrmErrorCode.FORBIDDEN, 'final']);
      expect(m(s, 'ACCESS_DENIED')).toEqual([CrmErrorCode.FORBIDDEN, 'final']);
    }
    for (const s of [401, 503]) expect(m(s, 'OVERLOAD_LIMIT')).toEqual([CrmErrorCode.CONFIGURATION, 'final']);
    expect(mapB24Error(401, 'insufficient_scope', '', 'x').error.message).toMatch(/"CRM \(crm\)" scope/);
  });

  it('record and configuration errors do not retry', () => {
    expect(m(400, 'NOT_FOUND', 'crm.item.get')).toEqual([CrmErrorCode.NOT_FOUND, 'final']);
    expect(m(400, 'NOT_FOUND', 'crm.item.update')).toEqual([CrmErrorCode.NOT_FOUND, 'final']);
    expect(m(400, 'NOT_FOUND', 'crm.item.list')).toEqual([CrmErrorCode.CONFIGURATION, 'final']);
    expect(m(400, 'ACCESS_DENIED')).toEqual([CrmErrorCode.FORBIDDEN, 'final']);
    expect(m(400, 'CRM_FIELD_ERROR_VALUE_NOT_VALID')).toEqual([CrmErrorCode.INVALID, 'final']);
    expect(m(400, 100)).toEqual([CrmErrorCode.INVALID, 'final']);
    expect(m(400, '')).toEqual([CrmErrorCode.INVALID, 'final']);
    expect(m(400, 0)).toEqual([CrmErrorCode.INVALID, 'final']);
    expect(m(400, 'INVALID_ARG_VALUE')).toEqual([CrmErrorCode.CONFIGURATION, 'final']);
    expect(m(400, 'ENTITY_TYPE_NOT_SUPPORTED')).toEqual([CrmErrorCode.CONFIGURATION, 'final']);
    expect(m(404, 'ERROR_METHOD_NOT_FOUND')).toEqual([CrmErrorCode.CONFIGURATION, 'final']);
    expect(m(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED')).toEqual([CrmErrorCode.CONFIGURATION, 'final']);
  });

  it('timeouts and network errors are transient', () => {
    const t = mapThrown(Object.assign(new Error('x'), { name: 'TimeoutError' }), 'batch', 1000);
    expect([t.error.code, t.kind]).toEqual([CrmErrorCode.TIMEOUT, 'transient']);
    const n = mapThrown(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
      'batch',
      1000,
    );
    expect([n.error.code, n.kind, n.error.message]).toEqual([
      CrmErrorCode.TEMPORARY,
      'transient',
      'Bitrix24 batch: network error: ECONNRESET',
    ]);
  });
});
