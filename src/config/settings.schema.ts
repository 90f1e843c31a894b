import { z } from 'zod';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';

/**
 * The one settings schema (README.md#settings). Nothing else in the code reads process.env:
 * `loadSettings()` validates the environment (and `.env`) once, listing every problem by name.
 * Secrets are marked `secret` in SECRET_SETTINGS and never logged.
 */

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (def: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
    .default(def);

const positive = (def: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .positive({ message: 'must be greater than 0' })
    .default(def);

const httpUrl = z
  .string()
  .url({ message: 'must be a URL' })
  .refine((v) => /^https?:\/\//.test(v), { message: 'must start with http:// or https://' });

const CRON_FIELD = /^[\d*/,\-?LW#A-Za-z]+$/;
const cron = (def: string) =>
  z
    .string()
    .default(def)
    .refine(
      (v) => {
        const parts = v.trim().split(/\s+/);
        return (parts.length === 5 || parts.length === 6) && parts.every((p) => CRON_FIELD.test(p));
      },
      { message: 'must be a cron expression with 5 or 6 fields, e.g. "0 6 * * *"' },
    );

const timeZone = z
  .string()
  .default('Europe/Moscow')
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be an IANA time zone such as Europe/Moscow' },
  );

/**
 * SYNC_ENTITIES: a comma-separated subset of the synced entities (spaces, case and order free; kept in link
 * order). Empty or unset: all of them. Each wrong name is named with the list of right ones.
 */
const syncEntities = z
  .string()
  .optional()
  .transform((v, ctx): SyncEntity[] => {
    const names = (v ?? '')
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean);
    if (!names.length) return [...SYNC_ENTITIES];
    const wrong = names.filter((n) => !(SYNC_ENTITIES as readonly string[]).includes(n));
    for (const n of wrong)
      ctx.addIssue({
        code: 'custom',
        message: `"${n}" is not an entity (use a comma-separated subset of ${SYNC_ENTITIES.join(', ')})`,
      });
    return SYNC_ENTITIES.filter((e) => names.includes(e));
  });

const optional = <T extends z.ZodTypeAny>(t: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), t.optional());

export const settingsSchema = z.object({
  // --- HTTP ---
  PORT: int(3000, 1, 65535),
  /** Base URL of this service, for links in the report. */
  PUBLIC_URL: optional(httpUrl),
  /** Requests per minute per API key before 429 with Retry-After. */
  API_RATE_LIMIT: int(1200, 1, 1_000_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  // --- Database ---
  /** secret (contains a password). Required by `npm start`; demo and tests use an embedded server. */
  DATABASE_URL: optional(
    z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'must start with postgres://' }),
  ),
  DB_MIGRATE: bool(true),

  // --- 1C (OData) ---
  ONEC_ODATA_URL: optional(
    httpUrl.refine((v) => /\/odata\/standard\.odata\/?$/.test(v), {
      message: 'must end in /odata/standard.odata',
    }),
  ),
  ONEC_USER: optional(z.string().min(1)),
  /** secret */
  ONEC_PASSWORD: optional(z.string()),
  ONEC_ORIGINATOR_ID: z.string().min(1).max(64).default('sverka-1c'),
  ONEC_MAPPING_FILE: optional(z.string()),

  // --- 1C change feed (the SverkaFeed extension, docs/protocols/onec-change-feed.md) ---
  /** The extension's HTTP service, `…/hs/sverka`; unset = the version scan only. Same user as OData. */
  ONEC_FEED_URL: optional(
    httpUrl.refine((v) => /\/hs\/[^/?#]+\/?$/.test(v), {
      message: 'must end in /hs/sverka (the HTTP service of the SverkaFeed extension)',
    }),
  ),
  /** secret: the HMAC-SHA256 key of the doorbell (`X-Sverka-Signature`); the same value as in 1C. */
  ONEC_FEED_SECRET: optional(z.string().min(16, { message: 'must be at least 16 characters' })),
  /** Pull the feed this often even when no doorbell rings. */
  ONEC_FEED_POLL_SECONDS: int(60, 5, 86_400),

  // --- CRM ---
  CRM_KIND: z.enum(['bitrix24', 'amocrm'], { message: 'must be bitrix24 or amocrm' }).default('bitrix24'),
  /** secret (the path holds the webhook secret) */
  BITRIX24_WEBHOOK_URL: optional(
    httpUrl.refine((v) => /\/rest\/\d+\/[^/]+\/?$/.test(v), {
      message: 'must look like https://<portal>/rest/<user_id>/<secret>/',
    }),
  ),
  BITRIX24_RPS: positive(2),
  BITRIX24_BURST: int(50, 1, 10000),
  /** amoCRM account address, e.g. https://example.amocrm.ru */
  AMOCRM_BASE_URL: optional(
    httpUrl.refine((v) => !/\/api\/v4/.test(v), { message: 'must be the account address, without /api/v4' }),
  ),
  /** secret: the long-lived token of the account's private integration */
  AMOCRM_TOKEN: optional(z.string().min(20, { message: 'must be the long-lived token (a long JWT)' })),
  /** amoCRM allows 7 requests per second per integration; lower it when other integrations share it. */
  AMOCRM_RPS: positive(7).refine((v) => v <= 7, { message: 'must be at most 7 (amoCRM blocks integrations that exceed it)' }),

  // --- What sync and reconciliation cover (staged go-live, README.md#going-live) ---
  /** The entities sync writes and reconciliation checks; a switched-off one is a skipped check. `debts` follows `counterparties`. */
  SYNC_ENTITIES: syncEntities,

  // --- Schedules ---
  SYNC_CRON: cron('*/15 * * * *'),
  /**
   * Conflict to-dos in the CRM (mapping `conflicts.todo`): how often Sverka looks for completed ones and
   * brings them in step with the open conflicts (one cheap request when nothing changed).
   */
  CONFLICT_TODO_CHECK_SECONDS: int(60, 10, 86_400),
  /** With the change feed on: the full version scan as a daily safety net. */
  SYNC_FULL_SCAN_CRON: cron('30 5 * * *'),
  RECONCILE_CRON: cron('0 6 * * *'),
  SCHEDULE_TZ: timeZone,
  SCHEDULER_ENABLED: bool(true),

  // --- Report e-mail ---
  /** secret (may hold a password) */
  SMTP_URL: optional(
    z.string().refine((v) => /^smtps?:\/\//.test(v), { message: 'must start with smtp:// or smtps://' }),
  ),
  SMTP_ALLOW_INSECURE: bool(false),
  REPORT_FROM: optional(z.string().min(3)),
  REPORT_TO: optional(
    z.string().refine((v) => v.split(',').every((a) => /^[^@\s]+@[^@\s]+$/.test(a.trim())), {
      message: 'must be comma-separated e-mail addresses',
    }),
  ),
  REPORT_LOCALE: z.enum(['ru', 'en']).default('ru'),
  REPORT_OUTBOX_DIR: optional(z.string()),
  GRAFANA_URL: optional(httpUrl),

  // --- Tests ---
  TEST_DATABASE_URL: optional(z.string()),
  /** Crash tests only: kill the process (SIGKILL) at a named point of a sync run, `<point>:<n>` (src/sync/crash-hook.ts). */
  SYNC_CRASH_AT: optional(
    z.string().regex(/^[a-z-]+(:\d+)?$/, { message: 'must be <point>:<n>, e.g. before-feed-ack:1' }),
  ),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Settings whose values are secrets: never logged, never in errors, metrics or reports. */
export const SECRET_SETTINGS = [
  'DATABASE_URL',
  'ONEC_PASSWORD',
  'ONEC_FEED_SECRET',
  'BITRIX24_WEBHOOK_URL',
  'AMOCRM_TOKEN',
  'SMTP_URL',
  'TEST_DATABASE_URL',
] as const;

/** Settings `npm start` cannot run without (the demo and tests supply their own). */
export const REQUIRED_FOR_START = ['DATABASE_URL', 'ONEC_ODATA_URL', 'ONEC_USER', 'ONEC_PASSWORD'] as const;

/** Settings `npm start` needs for the CRM named by CRM_KIND. */
export const REQUIRED_FOR_CRM: Record<Settings['CRM_KIND'], readonly string[]> = {
  bitrix24: ['BITRIX24_WEBHOOK_URL'],
  amocrm: ['AMOCRM_BASE_URL', 'AMOCRM_TOKEN'],
};
