import { loadSettings, SettingsError } from './config/settings.js';
import { resolveMapping } from './config/resolve-mapping.js';
import { createApp, logUnhandledRejections, stopOnSignals } from './bootstrap.js';
import { createRootLogger } from './common/logging.js';

/**
 * `npm start`: the production service from settings. Refuses to start on missing or invalid settings
 * or a mapping whose pilot scope names a ref that is no folder in 1C (one human-readable list on stderr,
 * exit code 2); from then on every line is JSON (pino) on stdout.
 */
async function main(): Promise<void> {
  let settings;
  let mapping;
  try {
    settings = await loadSettings({ mode: 'start' });
    mapping = await resolveMapping(settings);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createRootLogger(settings);
  try {
    const app = await createApp({ settings, mapping, databaseUrl: settings.DATABASE_URL!, logger });
    stopOnSignals(app);
    logUnhandledRejections();
    await app.listen(settings.PORT);
    const url = settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`;
    // Where it listens is said whatever LOG_LEVEL (as an info line; nothing under `silent`).
    const lifecycle = settings.LOG_LEVEL === 'silent' ? logger : logger.child({}, { level: 'info' });
    lifecycle.info(
      { url, api: `${url}/api/v1`, docs: `${url}/docs`, metrics: `${url}/metrics` },
      `Sverka is listening on ${url} (API ${url}/api/v1, docs ${url}/docs, metrics ${url}/metrics)`,
    );
  } catch (err) {
    // A check that needs the running modules (the pilot scope's folders in 1C) refuses like a wrong setting.
    if (err instanceof SettingsError) {
      logger.flush();
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    logger.fatal({ err }, `Sverka failed to start: ${(err as Error)?.message ?? String(err)}`);
    logger.flush();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Sverka failed to start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
