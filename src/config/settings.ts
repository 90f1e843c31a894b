import { config as readDotenv } from 'dotenv';
import { placeholderProblem } from './placeholder-values.js';
import { settingsSchema, REQUIRED_FOR_CRM, REQUIRED_FOR_START, type Settings } from './settings.schema.js';

export const SETTINGS = Symbol('Settings');

/** Thrown when settings are missing or invalid; `problems` names each one. Never carries a value. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Sverka cannot start: fix these settings (environment variables or .env):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'SettingsError';
  }
}

export interface LoadOptions {
  /** `start`: the production service needs REQUIRED_FOR_START. `embedded`: demo/tests fill them in. */
  mode: 'start' | 'embedded';
}

/**
 * Validates an environment into typed Settings, or throws SettingsError listing every problem
 * by variable name (values are never echoed: some are secrets).
 */
export function parseSettings(env: Record<string, string | undefined>, opts: LoadOptions): Settings {
  const problems: string[] = [];
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${String(issue.path[0] ?? '?')}: ${issue.message}`);
    }
  }
  if (opts.mode === 'start') {
    const kind = parsed.success ? parsed.data.CRM_KIND : 'bitrix24';
    for (const name of [...REQUIRED_FOR_START, ...REQUIRED_FOR_CRM[kind]]) {
      if (env[name] === undefined || env[name] === '')
        problems.push(`${name}: required${REQUIRED_FOR_CRM[kind].includes(name) ? ` with CRM_KIND=${kind}` : ''}`);
    }
    // A copied `.env.example` passes every format check; refuse its placeholders by name.
    for (const name of Object.keys(settingsSchema.shape)) {
      const problem = placeholderProblem(name, env[name]);
      if (problem) problems.push(problem);
    }
  }
  if (parsed.success) {
    const s = parsed.data;
    if (s.ONEC_FEED_SECRET && !s.ONEC_FEED_URL)
      problems.push(
        'ONEC_FEED_URL: required when ONEC_FEED_SECRET is set (the doorbell only triggers a feed pull)',
      );
    if (s.REPORT_TO && !s.REPORT_FROM) problems.push('REPORT_FROM: required when REPORT_TO is set');
    if (s.REPORT_TO && !s.SMTP_URL && !s.REPORT_OUTBOX_DIR)
      problems.push(
        'SMTP_URL: required when REPORT_TO is set (or set REPORT_OUTBOX_DIR to only write .eml files)',
      );
  }
  if (problems.length) throw new SettingsError([...new Set(problems)].sort());
  return parsed.data!;
}

/** Reads `.env` (if present, without overriding the real environment) and validates process.env. */
export async function loadSettings(
  opts: LoadOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Settings> {
  return loadSettingsSync(opts, env);
}

/** The same, synchronously (for entry points that cannot await, such as the TypeORM CLI's data source). */
export function loadSettingsSync(opts: LoadOptions, env: NodeJS.ProcessEnv = process.env): Settings {
  if (env === process.env) readDotenv({ quiet: true });
  return parseSettings(env, opts);
}

export type { Settings };
