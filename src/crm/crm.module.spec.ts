import { jest } from '@jest/globals';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SETTINGS, parseSettings } from '../config/settings.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { AmoCrmAdapter } from './amocrm/amocrm.adapter.js';
import { Bitrix24Adapter } from './bitrix24/bitrix24.adapter.js';
import { CrmError, CrmErrorCode } from './crm.error.js';
import { CrmModule, CrmPreparation, createCrmPort, resetCrmModuleWarnings } from './crm.module.js';
import { CRM_PORT, type CrmPort } from './crm.port.js';
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

  const amoEnv = {
    CRM_KIND: 'amocrm',
    AMOCRM_BASE_URL: 'https://example.amocrm.ru',
    AMOCRM_TOKEN: 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.long-lived-token',
    AMOCRM_RPS: '5',
  };

  it('CRM_KIND=amocrm: the amoCRM adapter with the mapping’s amocrm section, stage keys and currency; null without the token', () => {
    const m = simMapping('amocrm');
    m.crm.amocrm = { pipeline: 'Опт', fields: { deleted: false } };
    const port = createCrmPort(parseSettings(amoEnv, { mode: 'embedded' }), m) as AmoCrmAdapter;
    expect(port).toBeInstanceOf(AmoCrmAdapter);
    expect([port.kind, port.writeChunk, port.capabilities]).toEqual([
      'amocrm',
      50,
      { invoices: false, invoicesUnavailable: 'amoCRM has no invoices Sverka reads', flags: false, amountDigits: 0 },
    ]);
    expect(port.config.pipeline).toBe('Опт');
    expect(port.http.window.settings).toEqual({ rps: 5, windowMs: 1050 });
    expect(port.recordUrl('deals', '12')).toBe('https://example.amocrm.ru/leads/detail/12');
    const { AMOCRM_TOKEN: _t, ...noToken } = amoEnv;
    expect(createCrmPort(parseSettings(noToken, { mode: 'embedded' }), m)).toBeNull();
  });

  it('a bad amocrm section of the mapping stops the start naming each mistake', () => {
    const m = simMapping('amocrm');
    m.crm.amocrm = { fields: { inn: '' }, colour: 'red' };
    expect(() => createCrmPort(parseSettings(amoEnv, { mode: 'embedded' }), m)).toThrow(
      /amocrm\.fields\.inn: a custom field name[\s\S]*amocrm: unknown key\(s\): colour/,
    );
  });

  describe('CrmPreparation (CrmPort.prepare at start)', () => {
    const withPrepare = (prepare: () => Promise<void>) => ({ prepare }) as unknown as CrmPort;

    it('a CRM in a shape Sverka cannot use stops the start with its one-line message', async () => {
      const prep = new CrmPreparation(
        withPrepare(() => Promise.reject(new CrmError(CrmErrorCode.CONFIGURATION, 'amoCRM is not ready for Sverka: the company field «ИНН» (id 7) is of type numeric'))),
      );
      await expect(prep.onApplicationBootstrap()).rejects.toThrow(
        expect.objectContaining({ name: 'CrmStartError', message: 'amoCRM is not ready for Sverka: the company field «ИНН» (id 7) is of type numeric' }),
      );
    });

    it('a CRM that cannot be reached or refuses the token only warns; no CRM or nothing to prepare is fine', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      await new CrmPreparation(withPrepare(() => Promise.reject(new CrmError(CrmErrorCode.UNAUTHORIZED, 'amoCRM rejected AMOCRM_TOKEN (HTTP 401)')))).onApplicationBootstrap();
      await new CrmPreparation(withPrepare(() => Promise.reject(new CrmError(CrmErrorCode.TEMPORARY, 'amoCRM GET /api/v4/account: network error')))).onApplicationBootstrap();
      await new CrmPreparation(null).onApplicationBootstrap();
      await new CrmPreparation({} as CrmPort).onApplicationBootstrap();
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        'the CRM could not be prepared at start (UNAUTHORIZED: amoCRM rejected AMOCRM_TOKEN (HTTP 401)); it is prepared on first use',
        'the CRM could not be prepared at start (TEMPORARY: amoCRM GET /api/v4/account: network error); it is prepared on first use',
      ]);
      warn.mockRestore();
    });
  });
});
