import { describeError, redactSecrets } from './describe-error.js';

describe('secret redaction', () => {
  it('hides credentials, webhook secrets, bearer tokens and API keys', () => {
    const t = redactSecrets(
      'smtps://report:Pa55@mail.example.ru:465 https://b24.example.ru/rest/1/abcd1234secret/crm.item.add.json Bearer svk_abcdefghijklmnop',
    );
    expect(t).not.toMatch(/Pa55|abcd1234secret|abcdefghijklmnop/);
    expect(t).toContain('smtps://report:***@mail.example.ru');
    expect(t).toContain('/rest/1/***');
  });
  it('keeps the error code', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(describeError(e)).toBe('ECONNREFUSED: connect ECONNREFUSED');
  });
});
