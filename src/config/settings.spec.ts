import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parseSettings, SettingsError } from './settings.js';

const START = {
  DATABASE_URL: 'postgres://u:p@db:5432/sverka',
  ONEC_ODATA_URL: 'https://1c.firm.ru/bp30/odata/standard.odata',
  ONEC_USER: 'Интеграция',
  ONEC_PASSWORD: 's3cret-1c',
  BITRIX24_WEBHOOK_URL: 'https://firm.bitrix24.ru/rest/1/abc123secret/',
};

function problems(env: Record<string, string>, mode: 'start' | 'embedded' = 'start'): string[] {
  try {
    parseSettings(env, { mode });
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as SettingsError).problems;
  }
  return [];
}

describe('settings', () => {
  it('fills every default of the settings table (README.md#settings)', () => {
    const s = parseSettings(START, { mode: 'start' });
    expect(s).toMatchObject({
      PORT: 3000,
      ONEC_ORIGINATOR_ID: 'sverka-1c',
      CRM_KIND: 'bitrix24',
      BITRIX24_RPS: 2,
      BITRIX24_BURST: 50,
      SYNC_CRON: '*/15 * * * *',
      RECONCILE_CRON: '0 6 * * *',
      SCHEDULE_TZ: 'Europe/Moscow',
      SCHEDULER_ENABLED: true,
      REPORT_LOCALE: 'ru',
      LOG_LEVEL: 'info',
      DB_MIGRATE: true,
      SMTP_ALLOW_INSECURE: false,
      ONEC_FEED_POLL_SECONDS: 60,
      SYNC_FULL_SCAN_CRON: '30 5 * * *',
      CONFLICT_TODO_CHECK_SECONDS: 60,
      SYNC_ENTITIES: ['counterparties', 'contacts', 'deals'],
    });
    expect(s.ONEC_FEED_URL).toBeUndefined();
    expect(s.ONEC_FEED_SECRET).toBeUndefined();
  });

  it('lists every missing required setting by name for npm start, the CRM\'s by CRM_KIND', () => {
    expect(problems({ CRM_KIND: 'amocrm' })).toEqual([
      'AMOCRM_BASE_URL: required with CRM_KIND=amocrm',
      'AMOCRM_TOKEN: required with CRM_KIND=amocrm',
      'DATABASE_URL: required',
      'ONEC_ODATA_URL: required',
      'ONEC_PASSWORD: required',
      'ONEC_USER: required',
    ]);
    expect(problems({})).toEqual([
      'BITRIX24_WEBHOOK_URL: required with CRM_KIND=bitrix24',
      'DATABASE_URL: required',
      'ONEC_ODATA_URL: required',
      'ONEC_PASSWORD: required',
      'ONEC_USER: required',
    ]);
  });

  it('with CRM_KIND=amocrm, reads the account address and its token instead of the webhook; 7 requests a second', () => {
    const { BITRIX24_WEBHOOK_URL: _hook, ...rest } = START;
    const s = parseSettings(
      { ...rest, CRM_KIND: 'amocrm', AMOCRM_BASE_URL: 'https://firm.amocrm.ru', AMOCRM_TOKEN: 'eyJ0eXAiOiJKV1QiLCJhbGciOi.long-lived' },
      { mode: 'start' },
    );
    expect([s.CRM_KIND, s.AMOCRM_BASE_URL, s.AMOCRM_RPS]).toEqual(['amocrm', 'https://firm.amocrm.ru', 7]);
  });

  it('SYNC_ENTITIES: a subset in link order (spaces and case free, empty = all); a wrong name stops the start naming it', () => {
    const entities = (v: string) => parseSettings({ ...START, SYNC_ENTITIES: v }, { mode: 'start' }).SYNC_ENTITIES;
    expect(entities('counterparties')).toEqual(['counterparties']);
    expect(entities(' Deals , counterparties,deals')).toEqual(['counterparties', 'deals']);
    expect(entities('')).toEqual(['counterparties', 'contacts', 'deals']);
    expect(problems({ ...START, SYNC_ENTITIES: 'counterparties,companies,debts' })).toEqual([
      'SYNC_ENTITIES: "companies" is not an entity (use a comma-separated subset of counterparties, contacts, deals)',
      'SYNC_ENTITIES: "debts" is not an entity (use a comma-separated subset of counterparties, contacts, deals)',
    ]);
  });

  it('needs none of them for the demo and tests', () => {
    expect(problems({}, 'embedded')).toEqual([]);
  });

  it.each([
    ['PORT', 'abc', 'PORT: must be a number'],
    ['PORT', '70000', 'PORT: must be at most 65535'],
    ['DATABASE_URL', 'mysql://x', 'DATABASE_URL: must start with postgres://'],
    ['ONEC_ODATA_URL', 'https://1c.firm.ru/bp30', 'ONEC_ODATA_URL: must end in /odata/standard.odata'],
    [
      'ONEC_ODATA_URL',
      'ftp://1c/odata/standard.odata',
      'ONEC_ODATA_URL: must start with http:// or https://',
    ],
    [
      'BITRIX24_WEBHOOK_URL',
      'https://firm.bitrix24.ru/',
      'BITRIX24_WEBHOOK_URL: must look like https://<portal>/rest/<user_id>/<secret>/',
    ],
    ['BITRIX24_RPS', '0', 'BITRIX24_RPS: must be greater than 0'],
    ['BITRIX24_BURST', '2.5', 'BITRIX24_BURST: must be a whole number'],
    ['CRM_KIND', 'salesforce', 'CRM_KIND: must be bitrix24 or amocrm'],
    ['AMOCRM_RPS', '8', 'AMOCRM_RPS: must be at most 7 (amoCRM blocks integrations that exceed it)'],
    ['AMOCRM_BASE_URL', 'https://firm.amocrm.ru/api/v4', 'AMOCRM_BASE_URL: must be the account address, without /api/v4'],
    [
      'SYNC_CRON',
      'every 15 minutes',
      'SYNC_CRON: must be a cron expression with 5 or 6 fields, e.g. "0 6 * * *"',
    ],
    [
      'RECONCILE_CRON',
      '0 6 *',
      'RECONCILE_CRON: must be a cron expression with 5 or 6 fields, e.g. "0 6 * * *"',
    ],
    ['SCHEDULE_TZ', 'Moscow', 'SCHEDULE_TZ: must be an IANA time zone such as Europe/Moscow'],
    ['SCHEDULER_ENABLED', 'maybe', 'SCHEDULER_ENABLED: must be true or false'],
    ['SMTP_URL', 'mail.firm.ru', 'SMTP_URL: must start with smtp:// or smtps://'],
    [
      'ONEC_FEED_URL',
      'https://1c.firm.ru/bp30/odata/standard.odata',
      'ONEC_FEED_URL: must end in /hs/sverka (the HTTP service of the SverkaFeed extension)',
    ],
    ['ONEC_FEED_POLL_SECONDS', '1', 'ONEC_FEED_POLL_SECONDS: must be at least 5'],
    ['ONEC_FEED_POLL_SECONDS', 'often', 'ONEC_FEED_POLL_SECONDS: must be a number'],
    ['CONFLICT_TODO_CHECK_SECONDS', '5', 'CONFLICT_TODO_CHECK_SECONDS: must be at least 10'],
    [
      'SYNC_FULL_SCAN_CRON',
      'daily',
      'SYNC_FULL_SCAN_CRON: must be a cron expression with 5 or 6 fields, e.g. "0 6 * * *"',
    ],
    ['REPORT_LOCALE', 'de', 'REPORT_LOCALE:'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL:'],
  ])('%s=%s gives its own message', (name, value, message) => {
    const p = problems({ ...START, [name]: value });
    expect(p).toHaveLength(1);
    expect(p[0].startsWith(message)).toBe(true);
  });

  it('checks the report settings together', () => {
    expect(problems({ ...START, REPORT_TO: 'qa@firm.ru' })).toEqual([
      'REPORT_FROM: required when REPORT_TO is set',
      'SMTP_URL: required when REPORT_TO is set (or set REPORT_OUTBOX_DIR to only write .eml files)',
    ]);
    expect(
      problems({
        ...START,
        REPORT_TO: 'qa@firm.ru, not-an-address',
        REPORT_FROM: 'sverka@firm.ru',
        SMTP_URL: 'smtps://a:b@mail:465',
      }),
    ).toEqual(['REPORT_TO: must be comma-separated e-mail addresses']);
  });

  it('reads the change feed settings and checks them together', () => {
    const s = parseSettings(
      {
        ...START,
        ONEC_FEED_URL: 'https://1c.firm.ru/bp30/hs/sverka',
        ONEC_FEED_SECRET: 'a-doorbell-secret-of-32-characters',
        ONEC_FEED_POLL_SECONDS: '15',
        SYNC_FULL_SCAN_CRON: '0 4 * * *',
      },
      { mode: 'start' },
    );
    expect(s).toMatchObject({
      ONEC_FEED_URL: 'https://1c.firm.ru/bp30/hs/sverka',
      ONEC_FEED_SECRET: 'a-doorbell-secret-of-32-characters',
      ONEC_FEED_POLL_SECONDS: 15,
      SYNC_FULL_SCAN_CRON: '0 4 * * *',
    });
    expect(problems({ ...START, ONEC_FEED_SECRET: 'a-doorbell-secret-of-32-characters' })).toEqual([
      'ONEC_FEED_URL: required when ONEC_FEED_SECRET is set (the doorbell only triggers a feed pull)',
    ]);
    const short = problems({ ...START, ONEC_FEED_URL: 'https://1c/b/hs/sverka', ONEC_FEED_SECRET: 'short1' });
    expect(short).toEqual(['ONEC_FEED_SECRET: must be at least 16 characters']);
    expect(short.join()).not.toContain('short1');
  });

  it('never echoes a value in its messages (some are secrets)', () => {
    const err = (() => {
      try {
        parseSettings(
          { ...START, DATABASE_URL: 'mysql://root:TopSecret@db/x', SMTP_URL: 'TopSecret2' },
          { mode: 'start' },
        );
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('DATABASE_URL');
    expect(err?.message).not.toMatch(/TopSecret/);
  });

  it('refuses .env.example copied unchanged, naming each placeholder, and accepts it in the demo', () => {
    const example = parseDotenv(readFileSync(resolve(import.meta.dirname, '../../.env.example'), 'utf8'));
    const p = problems(example);
    expect(p.map((line) => line.split(':')[0])).toEqual([
      'BITRIX24_WEBHOOK_URL',
      'DATABASE_URL',
      'ONEC_ODATA_URL',
      'ONEC_PASSWORD',
    ]);
    expect(p.join('\n')).toContain('placeholder');
    expect(problems(example, 'embedded')).toEqual([]);
  });
});
