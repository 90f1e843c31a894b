import { Logger } from '@nestjs/common';
import { createRootLogger, PinoNestLogger } from '../../src/common/logging.js';
import type { Settings } from '../../src/config/settings.js';

/**
 * Jest setup file: the service's log lines stay out of the test output unless asked for with
 * TEST_LOG_LEVEL (e.g. `TEST_LOG_LEVEL=debug npm test -- test/e2e/foundation.e2e-spec.ts`), which
 * prints them as JSON, as the service writes them. Apps started by test/support/test-app.ts follow it.
 */
const level = process.env.TEST_LOG_LEVEL as Settings['LOG_LEVEL'] | undefined;
Logger.overrideLogger(level ? new PinoNestLogger(createRootLogger({ LOG_LEVEL: level })) : false);
