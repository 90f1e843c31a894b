import { accountBaseOf, recordUrlOf } from './record-url.util.js';

describe('amoCRM card links', () => {
  const base = accountBaseOf('https://example.amocrm.ru/')!;

  it('links companies, contacts and leads by id', () => {
    expect(base).toBe('https://example.amocrm.ru');
    expect(recordUrlOf(base, 'companies', '7767077')).toBe('https://example.amocrm.ru/companies/detail/7767077');
    expect(recordUrlOf(base, 'contacts', '5')).toBe('https://example.amocrm.ru/contacts/detail/5');
    expect(recordUrlOf(base, 'deals', '12')).toBe('https://example.amocrm.ru/leads/detail/12');
  });

  it('has no link for invoices or for what is not an id', () => {
    expect(recordUrlOf(base, 'invoices', '1')).toBeNull();
    for (const id of ['0', '-1', 'abc', '1.5', '']) expect(recordUrlOf(base, 'companies', id)).toBeNull();
    expect(accountBaseOf('not a url')).toBeNull();
  });
});
