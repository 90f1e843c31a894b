import { jest } from '@jest/globals';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SETTINGS, parseSettings } from '../config/settings.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { Bitrix24Adapter } from './bitrix24/bitrix24.adapter.js';
import { CrmModule, createCrmPort, resetCrmModuleWarnings } from './crm.module.js';
import { CRM_PORT } from './crm.port.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import { simMapping } from '../../sim/mapping.js';

describe('CrmModule', () => {
  const env = {
    BITRIX24_WEBHOOK_URL: 'http://127.0.0.1:8082/rest/1/Секрет-42xyz/',
    BITRIX24_RPS: '3',
    BITRIX24_BURST: '40',
  };

  it('provides CRM_PORT as the Bitrix24 adapter from the injected SETTINGS, metrics optional', async () => {
    @Global()
    @Module({
      providers: [
        { provide: SETTINGS, useValue: parseSettings(env, { mode: 'embedded' }) },
        { provide: MAPPING, useValue: simMapping() },
      ],
      exports: [SETTINGS, MAPPING],
    })
    class FakeConfig {}
    const mod = await Test.createTestingModule({ imports: [FakeConfig, CrmModule] }).compile();
    const port = mod.get(CRM_PORT);
    expect(port).toBeInstanceOf(Bitrix24Adapter);
    expect((port as Bitrix24Adapter).http.limiter.settings.rps).toBe(3);
  });

  it('is null without BITRIX24_WEBHOOK_URL (consumers inject it optionally)', () => {
    expect(createCrmPort(parseSettings({}, { mode: 'embedded' }), simMapping())).toBeNull();
  });

  it('warns once about plain http to a non-loopback host, never with the secret', () => {
    resetCrmModuleWarnings();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    createCrmPort(parseSettings(env, { mode: 'embedded' }), simMapping(), new SverkaMetrics({ defaultMetrics: false }));
    expect(warn).not.toHaveBeenCalled();
    const remote = parseSettings(
      { ...env, BITRIX24_WEBHOOK_URL: 'http://crm.example.ru/rest/1/s3cr3t-value/' },
      { mode: 'embedded' },
    );
    createCrmPort(remote, simMapping());
    createCrmPort(remote, simMapping());
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).not.toContain('s3cr3t-value');
    warn.mockRestore();
  });

  it('a bad bitrix24 section of the mapping stops the start naming each mistake', () => {
    const m = simMapping();
    m.crm.bitrix24 = { deletionMarker: { field: 'SverkaDeleted', value: 'x' }, colour: 'red' };
    expect(() => createCrmPort(parseSettings(env, { mode: 'embedded' }), m)).toThrow(
      /bitrix24\.deletionMarker\.field: a CRM user field in crm\.item spelling[\s\S]*bitrix24: unknown key\(s\): colour/,
    );
  });
});
