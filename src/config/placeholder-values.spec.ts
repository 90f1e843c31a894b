import { placeholderProblem } from './placeholder-values.js';

describe('placeholder values from .env.example', () => {
  it.each([
    ['DATABASE_URL', 'postgres://sverka:change-me@localhost:5432/sverka', 'placeholder from .env.example'],
    ['ONEC_PASSWORD', 'change-me', 'placeholder from .env.example'],
    ['ONEC_PASSWORD', 'CHANGEME', 'placeholder from .env.example'],
    [
      'ONEC_ODATA_URL',
      'https://1c.example.ru/bp30/odata/standard.odata',
      '1c.example.ru is a placeholder host',
    ],
    [
      'BITRIX24_WEBHOOK_URL',
      'https://example.bitrix24.ru/rest/1/abc123/',
      'example.bitrix24.ru is a placeholder host',
    ],
    ['SMTP_URL', 'smtps://sverka:pw@smtp.example.com:465', 'smtp.example.com is a placeholder host'],
  ])('%s=%s is refused', (name, value, words) => {
    const p = placeholderProblem(name, value);
    expect(p).toContain(`${name}: `);
    expect(p).toContain(words);
  });

  it('never echoes the secret part', () => {
    const p = placeholderProblem(
      'BITRIX24_WEBHOOK_URL',
      'https://example.bitrix24.ru/rest/1/VerySecretHook/',
    );
    expect(p).not.toContain('VerySecretHook');
    expect(placeholderProblem('ONEC_PASSWORD', 'change-me-Secret7')).not.toContain('Secret7');
  });

  it.each([
    ['DATABASE_URL', 'postgres://sverka:S3cr3t@db.internal:5432/sverka'],
    ['ONEC_ODATA_URL', 'https://1c.firm.ru/bp30/odata/standard.odata'],
    ['BITRIX24_WEBHOOK_URL', 'https://firm.bitrix24.ru/rest/1/k3yk3y/'],
    ['ONEC_USER', 'Интеграция'],
    ['ONEC_PASSWORD', 'examples-are-fine-inside-words'],
    ['REPORT_TO', 'quality@firm.ru'],
    ['REPORT_TO', 'quality@example.ru'], // e-mail domains are not checked: tests and the demo use them
    ['ONEC_PASSWORD', undefined],
  ])('%s=%s is a real value', (name, value) => {
    expect(placeholderProblem(name, value)).toBeNull();
  });
});
