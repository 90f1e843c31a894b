import { jest } from '@jest/globals';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SETTINGS, parseSettings } from '../config/settings.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import { simMapping } from '../../sim/mapping.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { OneCError } from './onec.error.js';
import { OneCErrorCode } from './onec.error.js';
import { OneCFeedAdapter } from './feed/onec-feed.adapter.js';
import { ONEC_FEED_PORT } from './feed/onec-feed.port.js';
import { OneCModule, createOneCFeedPort, createOneCPort, isLoopbackHost } from './onec.module.js';
import { ONEC_PORT } from './onec.port.js';
import { OneCODataAdapter } from './odata/odata.adapter.js';

describe('OneCModule', () => {
  const env = {
    ONEC_ODATA_URL: 'http://127.0.0.1:8081/bp30/odata/standard.odata',
    ONEC_USER: 'u',
    ONEC_PASSWORD: 'Секрет-42',
  };

  it('provides ONEC_PORT as the OData adapter from the global SETTINGS and MAPPING, metrics optional', async () => {
    @Global()
    @Module({
      providers: [
        { provide: SETTINGS, useValue: parseSettings(env, { mode: 'embedded' }) },
        { provide: MAPPING, useValue: simMapping() },
      ],
      exports: [SETTINGS, MAPPING],
    })
    class FakeConfig {}
    const mod = await Test.createTestingModule({ imports: [FakeConfig, OneCModule] }).compile();
    expect(mod.get(ONEC_PORT)).toBeInstanceOf(OneCODataAdapter);
    expect(mod.get(ONEC_FEED_PORT)).toMatchObject({ changes: expect.any(Function) });
  });

  it('provides ONEC_FEED_PORT as the feed adapter when ONEC_FEED_URL is set, else failing with CONFIGURATION', async () => {
    const on = parseSettings(
      { ...env, ONEC_FEED_URL: 'http://127.0.0.1:8081/bp30/hs/sverka' },
      { mode: 'embedded' },
    );
    expect(createOneCFeedPort(on, simMapping())).toBeInstanceOf(OneCFeedAdapter);
    const off = createOneCFeedPort(parseSettings(env, { mode: 'embedded' }), simMapping());
    await expect(off.state()).rejects.toMatchObject({
      code: OneCErrorCode.CONFIGURATION,
      message: 'ONEC_FEED_URL is not set',
    });
  });

  it('without ONEC_ODATA_URL every call fails with CONFIGURATION', async () => {
    const port = createOneCPort(parseSettings({}, { mode: 'embedded' }), simMapping());
    await expect(port.countLive('counterparties')).rejects.toBeInstanceOf(OneCError);
  });

  it('warns about plain http to a non-loopback host only', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    createOneCPort(
      parseSettings(env, { mode: 'embedded' }),
      simMapping(),
      new SverkaMetrics({ defaultMetrics: false }),
    );
    expect(warn).not.toHaveBeenCalled();
    createOneCPort(
      parseSettings(
        { ...env, ONEC_ODATA_URL: 'http://1c.local/bp30/odata/standard.odata' },
        { mode: 'embedded' },
      ),
      simMapping(),
    );
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).not.toContain('Секрет-42');
    warn.mockRestore();
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
