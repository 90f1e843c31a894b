import { Logger } from '@nestjs/common';
import type { Settings } from '../../src/config/settings.js';

/**
 * Jest setup file: the service's log lines stay out of the test output unless asked for with
 * TEST_LOG_LEVEL (e.g. `TEST_LOG_LEVEL=debug npm test -- test/e2e/foundation.e2e-spec.ts`), which
 * prints them as JSON, as the service writes them. Apps started by test/support/test-app.ts follow it.
 * pino is loaded only then: a test file that never starts an app does not load it at all.
 */
const level = process.env.TEST_LOG_LEVEL as Settings['LOG_LEVEL'] | undefined;
if (level) {
  const { createRootLogger, PinoNestLogger } = await import('../../src/common/logging.js');
  Logger.overrideLogger(new PinoNestLogger(createRootLogger({ LOG_LEVEL: level })));
} else {
  Logger.overrideLogger(false);
}
