import { CrmErrorCode } from '../crm.error.js';
import { itemError, mapAmoError, mapThrown, validationErrorsOf } from './amocrm-errors.js';

describe('amoCRM answers as CrmErrors', () => {
  const problem = (status: number, detail: string, extra: Record<string, unknown> = {}) => ({
    title: 'x',
    type: `https://httpstatus.es/${status}`,
    status,
    detail,
    ...extra,
  });

  it('401 is UNAUTHORIZED and names AMOCRM_TOKEN (the localised detail is not read)', () => {
    const f = mapAmoError(401, problem(401, 'Неверный логин или пароль'), 'GET /api/v4/account');
    expect([f.kind, f.error.code, f.error.fatal]).toEqual(['final', CrmErrorCode.UNAUTHORIZED, true]);
    expect(f.error.message).toBe(
      'amoCRM rejected AMOCRM_TOKEN (HTTP 401 on GET /api/v4/account): the long-lived token has expired, was revoked or is not this account\'s — generate a new one in the private integration\'s "Keys and scopes" and set AMOCRM_TOKEN',
    );
  });

  it('403: a right (JSON) or a block (an HTML page) — both fatal, never retried', () => {
    const right = mapAmoError(403, problem(403, 'Не хватает прав'), 'POST /api/v4/leads/pipelines/1/statuses');
    expect([right.kind, right.error.code]).toEqual(['final', CrmErrorCode.FORBIDDEN]);
    expect(right.error.message).toContain('lacks a right');
    const block = mapAmoError(403, null, 'GET /api/v4/companies');
    expect([block.kind, block.error.code]).toEqual(['final', CrmErrorCode.FORBIDDEN]);
    expect(block.error.message).toContain('the account is blocked');
  });

  it('429 waits (retry_after when amoCRM gives it); 5xx and network errors are transient', () => {
    expect(mapAmoError(429, problem(429, 'x', { retry_after: 3 }), 'GET /api/v4/leads')).toMatchObject({ kind: 'rate', retryAfterS: 3 });
    expect(mapAmoError(429, null, 'GET /api/v4/leads')).toMatchObject({ kind: 'rate', retryAfterS: undefined });
    for (const s of [500, 502, 503, 504])
      expect([mapAmoError(s, null, 'POST /api/v4/companies').kind, mapAmoError(s, null, 'x').error.code]).toEqual([
        'transient',
        CrmErrorCode.TEMPORARY,
      ]);
    const t = mapThrown(Object.assign(new Error('x'), { name: 'TimeoutError' }), 'GET /api/v4/leads', 30000);
    expect([t.kind, t.error.code, t.error.message]).toEqual(['transient', CrmErrorCode.TIMEOUT, 'amoCRM GET /api/v4/leads: no answer within 30000 ms']);
    const n = mapThrown(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }), 'POST /api/v4/companies', 1);
    expect([n.kind, n.error.message]).toEqual(['transient', 'amoCRM POST /api/v4/companies: network error: ECONNRESET']);
  });

  it('404 names AMOCRM_BASE_URL; 402, 405, 422 and 400 are final', () => {
    expect(mapAmoError(404, problem(404, 'Cannot GET'), 'GET /api/v4/account').error.message).toContain('check AMOCRM_BASE_URL');
    expect(mapAmoError(402, problem(402, 'Payment required'), 'x').error.code).toBe(CrmErrorCode.FORBIDDEN);
    expect(mapAmoError(422, problem(422, 'Limit 250 per page'), 'x').error.code).toBe(CrmErrorCode.CONFIGURATION);
    expect(mapAmoError(400, problem(400, 'Request data can not be empty'), 'x').error).toMatchObject({
      code: CrmErrorCode.INVALID,
      message: 'amoCRM x: HTTP 400 (Request data can not be empty)',
    });
  });

  it('validation errors become per-item errors naming the custom field', () => {
    const body = {
      'validation-errors': [
        { request_id: '3', errors: [{ code: 'NotSupportedChoice', path: 'custom_fields_values.1.values.0.value', detail: 'The value you selected is not a valid choice.' }] },
      ],
      ...problem(400, 'Request validation failed'),
    };
    const entries = validationErrorsOf(body)!;
    expect(entries).toEqual([
      { request_id: '3', errors: [{ code: 'NotSupportedChoice', path: 'custom_fields_values.1.values.0.value', detail: 'The value you selected is not a valid choice.' }] },
    ]);
    const e = itemError('company create k3', entries[0].errors, (i) => (i === 1 ? 'ИНН' : undefined));
    expect([e.code, e.message, e.crmCode]).toEqual([
      CrmErrorCode.INVALID,
      'amoCRM refused company create k3: «ИНН».values.0.value: NotSupportedChoice (The value you selected is not a valid choice.)',
      'NotSupportedChoice',
    ]);
    expect(validationErrorsOf(problem(400, 'x'))).toBeNull();
  });
});
