import { jest } from '@jest/globals';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SETTINGS, parseSettings } from '../config/settings.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import { defaultMapping } from '../mapping/default-mapping.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { OneCError } from './onec.error.js';
import { OneCModule, createOneCPort, isLoopbackHost } from './onec.module.js';
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
        { provide: MAPPING, useValue: defaultMapping() },
      ],
      exports: [SETTINGS, MAPPING],
    })
    class FakeConfig {}
    const mod = await Test.createTestingModule({ imports: [FakeConfig, OneCModule] }).compile();
    expect(mod.get(ONEC_PORT)).toBeInstanceOf(OneCODataAdapter);
  });

  it('without ONEC_ODATA_URL every call fails with CONFIGURATION', async () => {
    const port = createOneCPort(parseSettings({}, { mode: 'embedded' }), defaultMapping());
    await expect(port.countLive('counterparties')).rejects.toBeInstanceOf(OneCError);
  });

  it('warns about plain http to a non-loopback host only', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    createOneCPort(
      parseSettings(env, { mode: 'embedded' }),
      defaultMapping(),
      new SverkaMetrics({ defaultMetrics: false }),
    );
    expect(warn).not.toHaveBeenCalled();
    createOneCPort(
      parseSettings(
        { ...env, ONEC_ODATA_URL: 'http://1c.local/bp30/odata/standard.odata' },
        { mode: 'embedded' },
      ),
      defaultMapping(),
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
