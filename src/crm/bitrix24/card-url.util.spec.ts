import { cardUrl, portalBaseOf } from './card-url.util.js';

describe('Bitrix24 card links', () => {
  it('takes the portal address from the webhook URL, without the secret', () => {
    const base = portalBaseOf('https://acme.bitrix24.ru/rest/7/s3cr3tw3bh00k/');
    expect(base).toBe('https://acme.bitrix24.ru/');
    expect(portalBaseOf('http://127.0.0.1:8082/rest/1/sverka-sim-secret/')).toBe('http://127.0.0.1:8082/');
    expect(portalBaseOf('https://crm.example.ru/portal/rest/1/x/')).toBe('https://crm.example.ru/portal/');
  });

  it('has no portal address for a URL that is not a webhook', () => {
    expect(portalBaseOf('https://acme.bitrix24.ru/')).toBeNull();
    expect(portalBaseOf('not a url')).toBeNull();
  });

  it('links companies, contacts, deals and smart invoices to their cards', () => {
    const base = 'https://acme.bitrix24.ru/';
    expect(cardUrl(base, 'companies', '2919')).toBe('https://acme.bitrix24.ru/crm/company/details/2919/');
    expect(cardUrl(base, 'contacts', '811')).toBe('https://acme.bitrix24.ru/crm/contact/details/811/');
    expect(cardUrl(base, 'deals', '15402')).toBe('https://acme.bitrix24.ru/crm/deal/details/15402/');
    expect(cardUrl(base, 'invoices', '5')).toBe('https://acme.bitrix24.ru/crm/type/31/details/5/');
  });

  it('gives no link for an id that is not a record id', () => {
    const base = 'https://acme.bitrix24.ru/';
    expect(cardUrl(base, 'companies', '')).toBeNull();
    expect(cardUrl(base, 'companies', '0')).toBeNull();
    expect(cardUrl(base, 'companies', '../admin')).toBeNull();
  });
});
