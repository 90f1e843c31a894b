import { loadSettings, SettingsError } from './config/settings.js';
import { resolveMapping } from './config/resolve-mapping.js';
import { createApp, logUnhandledRejections, stopOnSignals } from './bootstrap.js';

/** `npm start`: the production service from settings. Refuses to start on missing or invalid settings. */
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
  const app = await createApp({ settings, mapping, databaseUrl: settings.DATABASE_URL! });
  stopOnSignals(app);
  logUnhandledRejections(app);
  await app.listen(settings.PORT);
  const url = settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`;
  process.stdout.write(
    `Sverka is listening on ${url} (API ${url}/api/v1, docs ${url}/docs, metrics ${url}/metrics)\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`Sverka failed to start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
