import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { applyDrift, planDrift } from '../../sim/dataset/drift.js';
import {
  AmoCrmSimulator,
  startAmoCrmSimulator,
  type AmoCrmSimulatorOptions,
} from '../../sim/amocrm/index.js';
import { startSimulators } from '../../sim/start-simulators.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- raw JSON bodies are probed field by field */
/** The fake amoCRM account's own contract (docs/protocols/amocrm.md), by raw HTTP. */
interface Reply {
  status: number;
  type: string | null;
  length: string | null;
  text: string;
  json: any;
}

async function call(
  sim: AmoCrmSimulator,
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.Authorization = `Bearer ${token ?? sim.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    length: res.headers.get('content-length'),
    text,
    json,
  };
}

const get = (sim: AmoCrmSimulator, path: string) => call(sim, 'GET', path);

/** Companies named `Компания 1..n`, ids 1..n. */
function companies(n: number): AmoCrmSimulatorOptions['seed'] {
  return {
    companies: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      name: `Компания ${i + 1}`,
      created_at: 1_760_000_000 + i,
      updated_at: 1_760_000_000 + i,
    })),
  };
}

describe('amoCRM simulator', () => {
  let sim: AmoCrmSimulator;
  afterEach(async () => {
    await sim?.close();
  });

  it('answers 401 with the exact problem body for a missing, wrong, expired or revoked token — before anything else', async () => {
    sim = await startAmoCrmSimulator({ limits: { rps: 1, blockAfter: 1 } });
    const unauthorized = {
      title: 'Unauthorized',
      type: 'https://httpstatus.es/401',
      status: 401,
      detail: 'Неверный логин или пароль',
    };
    const expired = sim.issueToken({ expiresAt: sim.state.now() - 1 });
    const revoked = sim.issueToken();
    sim.revokeToken(revoked);
    for (const token of [null, 'not-a-token', expired, revoked]) {
      const r = await call(sim, 'GET', '/api/v4/companies', undefined, token);
      expect({ status: r.status, type: r.type, json: r.json }).toEqual({
        status: 401,
        type: 'application/problem+json',
        json: unauthorized,
      });
    }
    // The token is a JWT whose `exp` a client can read.
    const payload = JSON.parse(Buffer.from(sim.token.split('.')[1], 'base64url').toString());
    expect(payload.exp).toBeGreaterThan(sim.state.now() + 4 * 365 * 86400);
    // Blocked for abuse, a bad token still gets 401 first.
    await get(sim, '/api/v4/account');
    expect((await get(sim, '/api/v4/account')).status).toBe(429);
    expect(sim.blocked).toBe(true);
    expect((await call(sim, 'GET', '/api/v4/account', undefined, expired)).status).toBe(401);
  });

  it('lists: HAL with _page, _links.self/next/prev, _embedded; ≤ 250 per page; 204 with an empty body when nothing is there', async () => {
    sim = await startAmoCrmSimulator({ seed: companies(120), limits: false });
    const first = await get(sim, '/api/v4/companies?limit=50&page=1');
    expect(first.status).toBe(200);
    expect(first.type).toBe('application/hal+json');
    expect(Object.keys(first.json).sort()).toEqual(['_embedded', '_links', '_page']);
    expect(first.json._page).toBe(1);
    expect(first.json._links.self.href).toBe(`${sim.url}/api/v4/companies?limit=50&page=1`);
    expect(first.json._links.next.href).toBe(`${sim.url}/api/v4/companies?limit=50&page=2`);
    expect(first.json._links.prev).toBeUndefined();
    const c1 = first.json._embedded.companies[0];
    expect(c1).toEqual({
      id: 1,
      name: 'Компания 1',
      responsible_user_id: 504141,
      group_id: 0,
      created_by: 504141,
      updated_by: 504141,
      created_at: 1_760_000_000,
      updated_at: 1_760_000_000,
      closest_task_at: null,
      is_deleted: false,
      custom_fields_values: null,
      account_id: 31000001,
      _links: { self: { href: `${sim.url}/api/v4/companies/1` } },
      _embedded: { tags: [] },
    });
    // Following next.href reads every company once; the last page has no next.
    const ids: number[] = [];
    let href: string | undefined = `${sim.url}/api/v4/companies?limit=50`;
    let pages = 0;
    while (href) {
      const r = await get(sim, href.slice(sim.url.length));
      pages++;
      ids.push(...r.json._embedded.companies.map((c: any) => c.id));
      if (r.json._page > 1) expect(r.json._links.prev.href).toContain(`page=${r.json._page - 1}`);
      href = r.json._links.next?.href;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    // 204, no body, no content type: past the end, no match, a missing or deleted id.
    for (const path of [
      '/api/v4/companies?limit=50&page=4',
      '/api/v4/companies?filter[name]=Нет такой',
      '/api/v4/companies/999',
      '/api/v4/contacts',
    ]) {
      const r = await get(sim, path);
      expect({ path, status: r.status, text: r.text, type: r.type, length: r.length }).toEqual({
        path,
        status: 204,
        text: '',
        type: null,
        length: null,
      });
    }
    sim.state.deleteInInterface('companies', 7);
    expect((await get(sim, '/api/v4/companies/7')).status).toBe(204);
    // limit: 250 is the most a page holds.
    expect((await get(sim, '/api/v4/companies?limit=250')).json._embedded.companies).toHaveLength(119);
    expect(await get(sim, '/api/v4/companies?limit=251').then((r) => [r.status, r.json])).toEqual([
      422,
      {
        title: 'Unprocessable Entity',
        type: 'https://httpstatus.es/422',
        status: 422,
        detail: 'Limit 250 per page',
      },
    ]);
    // Deleted ones come back only as tombstones with with=only_deleted.
    const deleted = await get(sim, '/api/v4/companies?with=only_deleted');
    expect(deleted.json._embedded.companies).toEqual([
      expect.objectContaining({ id: 7, is_deleted: true, name: null, custom_fields_values: null }),
    ]);
  });

  it('adds ≤ 250 items per request, answers 200 echoing request_id as a string (the index when absent), on PATCH too', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    const add = await call(sim, 'POST', '/api/v4/companies', [
      { name: 'ООО Ромашка', request_id: 'r-1' },
      { name: 'АО Лютик' },
      { name: 'ИП Иванов', request_id: 77 },
    ]);
    expect(add.status).toBe(200);
    expect(add.json._embedded.companies).toEqual([
      { id: 1, request_id: 'r-1', _links: { self: { href: `${sim.url}/api/v4/companies/1` } } },
      { id: 2, request_id: '1', _links: { self: { href: `${sim.url}/api/v4/companies/2` } } },
      { id: 3, request_id: '77', _links: { self: { href: `${sim.url}/api/v4/companies/3` } } },
    ]);
    const patch = await call(sim, 'PATCH', '/api/v4/companies', [
      { id: 2, name: 'АО Лютик-2' },
      { id: 1, name: 'ООО Ромашка', request_id: 'same' },
    ]);
    expect(patch.status).toBe(200);
    expect(patch.json._embedded.companies.map((c: any) => [c.id, c.name, c.request_id])).toEqual([
      [2, 'АО Лютик-2', '0'],
      [1, 'ООО Ромашка', 'same'],
    ]);
    // PATCH /{id} takes an object (not an array) and answers the object.
    const one = await call(sim, 'PATCH', '/api/v4/companies/3', { name: 'ИП Иванов И.И.' });
    expect(one.json).toEqual(
      expect.objectContaining({
        id: 3,
        name: 'ИП Иванов И.И.',
        _links: { self: { href: `${sim.url}/api/v4/companies/3` } },
      }),
    );
    // 251 items: 422, nothing saved; an empty array: 400.
    const big = Array.from({ length: 251 }, (_, i) => ({ name: `К${i}` }));
    expect((await call(sim, 'POST', '/api/v4/companies', big)).status).toBe(422);
    expect(sim.state.count('companies')).toBe(3);
    expect((await call(sim, 'POST', '/api/v4/companies', [])).json.detail).toBe(
      'Request data can not be empty',
    );
    expect((await call(sim, 'POST', '/api/v4/companies', big.slice(0, 250))).status).toBe(200);
    expect(sim.state.count('companies')).toBe(253);
  });

  it('batches over 50: /leads/complex refuses them; with slowBatchOver the write is saved and answered 504 (the duplicate trap)', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    const leads = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `Сделка ${i}` }));
    const complex = await call(sim, 'POST', '/api/v4/leads/complex', leads(51));
    expect([complex.status, complex.json.detail]).toEqual([422, 'Limit 50 per page']);
    const ok = await call(sim, 'POST', '/api/v4/leads/complex', [
      {
        name: 'Заказ клиента ЦБ-000123 от 14.08.2026',
        price: 150001,
        _embedded: {
          contacts: [{ first_name: 'Пётр', last_name: 'Иванов' }],
          companies: [{ name: 'ООО Ромашка' }],
        },
      },
    ]);
    expect(ok.json).toEqual([{ id: 1, contact_id: 1, company_id: 1, request_id: ['0'], merged: false }]);
    expect(sim.state.companyOf('leads', 1)).toBe(1);
    expect(sim.state.companyOf('contacts', 1)).toBe(1);
    sim.setFaults({ slowBatchOver: 50 });
    expect((await call(sim, 'POST', '/api/v4/leads', leads(50))).status).toBe(200);
    const slow = await call(sim, 'POST', '/api/v4/leads', leads(51));
    expect([slow.status, slow.type]).toEqual([504, 'text/html']);
    expect(sim.state.count('leads')).toBe(1 + 50 + 51);
  });

  it('validation-errors per item by request_id; nothing saved (or, in partial mode, the valid items saved unseen)', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    const body = [
      {
        name: 'ООО Ромашка',
        custom_fields_values: [
          { field_code: 'PHONE', values: [{ value: '+74951234567', enum_code: 'WORK' }] },
        ],
      },
      {
        name: 'АО Лютик',
        request_id: 'x',
        custom_fields_values: [{ field_id: 999999, values: [{ value: '7701234567' }] }],
      },
      {
        name: 'ИП Лесной',
        custom_fields_values: [{ field_code: 'EMAIL', values: [{ value: 'a@b.ru', enum_code: 'MOB' }] }],
      },
    ];
    const bad = await call(sim, 'POST', '/api/v4/companies', body);
    expect([bad.status, bad.type]).toEqual([400, 'application/problem+json']);
    expect(bad.json).toEqual({
      'validation-errors': [
        {
          request_id: 'x',
          errors: [
            {
              code: 'NotSupportedChoice',
              path: 'custom_fields_values.0.field_id',
              detail: 'The value you selected is not a valid choice.',
            },
          ],
        },
        {
          request_id: '2',
          errors: [
            {
              code: 'NotSupportedChoice',
              path: 'custom_fields_values.0.values.0.enum_code',
              detail: 'The value you selected is not a valid choice.',
            },
          ],
        },
      ],
      title: 'Bad Request',
      type: 'https://httpstatus.es/400',
      status: 400,
      detail: 'Request validation failed',
    });
    expect(sim.state.count('companies')).toBe(0);
    const leadBad = await call(sim, 'POST', '/api/v4/leads', [{ name: 'Дробная', price: 100.5 }]);
    expect(leadBad.json['validation-errors'][0].errors).toEqual([
      { code: 'InvalidType', path: 'price', detail: 'This value should be of type int.' },
    ]);
    await sim.close();
    sim = await startAmoCrmSimulator({ limits: false, partialBatches: true });
    const partial = await call(sim, 'POST', '/api/v4/companies', body);
    expect(partial.status).toBe(400);
    expect(sim.state.list('companies').map((c) => c.name)).toEqual(['ООО Ромашка']);
  });

  it('7 requests a second: the 8th gets 429 with retry_after; repeated abuse blocks every request with 403 until support lifts it', async () => {
    sim = await startAmoCrmSimulator({ limits: { blockAfter: 5, blockWindowSec: 60 } });
    const burst = await Promise.all(Array.from({ length: 8 }, () => get(sim, '/api/v4/account')));
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 429]);
    const limited = burst.find((r) => r.status === 429)!;
    expect(limited.type).toBe('application/problem+json');
    expect(limited.json).toEqual({
      title: 'Too Many Requests',
      type: 'https://httpstatus.es/429',
      status: 429,
      detail: 'You have sent too many requests in a given amount of time',
      retry_after: 1,
    });
    const more = await Promise.all(Array.from({ length: 4 }, () => get(sim, '/api/v4/account')));
    expect(more.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    expect(sim.blocked).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    const blocked = await get(sim, '/api/v4/companies');
    expect([blocked.status, blocked.type, blocked.text.includes('403 Forbidden')]).toEqual([
      403,
      'text/html',
      true,
    ]);
    sim.unblock();
    expect((await get(sim, '/api/v4/account')).status).toBe(200);
    // The other documented shape of a 429: an HTML page (and no retry_after).
    sim.setFaults({ forceRateLimit: 1, html429: true });
    const html = await get(sim, '/api/v4/account');
    expect([html.status, html.type]).toEqual([429, 'text/html']);
    expect(sim.summary().rateLimited).toBe(6);
  });

  it('has no DELETE for records or tasks (405), and the record stays', async () => {
    sim = await startAmoCrmSimulator({ seed: companies(1), limits: false });
    for (const path of ['/api/v4/companies/1', '/api/v4/companies', '/api/v4/leads/1', '/api/v4/tasks/1']) {
      const r = await call(sim, 'DELETE', path);
      expect({ path, status: r.status, json: r.json }).toEqual({
        path,
        status: 405,
        json: {
          title: 'Method Not Allowed',
          type: 'https://httpstatus.es/405',
          status: 405,
          detail: 'Method Not Allowed',
        },
      });
    }
    expect(sim.state.count('companies')).toBe(1);
    expect((await get(sim, '/api/v4/nothing')).json.detail).toBe(`Cannot GET ${sim.url}/api/v4/nothing`);
  });

  it('filters: filter[id] in all three list forms, updated_at ranges, custom field values, statuses; query; the alpha flag off ignores filters', async () => {
    sim = await startAmoCrmSimulator({ seed: companies(10), limits: false });
    const inn = sim.state.addField('companies', { name: 'ИНН', type: 'text' });
    sim.state.update('companies', 4, {
      custom_fields_values: [{ field_id: inn.id, values: [{ value: '7701234567' }] }],
    });
    sim.state.update('companies', 9, {
      custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+7 (495) 123-45-67' }] }],
    });
    const ids = async (path: string) =>
      ((await get(sim, path)).json?._embedded.companies ?? []).map((c: any) => c.id);
    for (const form of [
      'filter[id][0]=2&filter[id][1]=5',
      'filter[id][]=2&filter[id][]=5',
      'filter[id]=2&filter[id]=5',
    ])
      expect(await ids(`/api/v4/companies?${form}`)).toEqual([2, 5]);
    expect(
      await ids('/api/v4/companies?filter[updated_at][from]=1760000002&filter[updated_at][to]=1760000005'),
    ).toEqual([3, 5, 6]);
    expect(await ids(`/api/v4/companies?filter[custom_fields_values][${inn.id}][]=7701234567`)).toEqual([4]);
    expect(await ids('/api/v4/companies?query=4951234567')).toEqual([9]);
    expect(await ids('/api/v4/companies?order[updated_at]=desc&limit=3')).toEqual([4, 9, 10]);
    expect((await get(sim, '/api/v4/companies?order[created_at]=asc')).status).toBe(400);
    const main = sim.state.mainPipeline();
    const won = sim.state.add('leads', { name: 'Выиграна', status_id: 142, pipeline_id: main.id });
    sim.state.add('leads', { name: 'Открыта' });
    const leads = await get(
      sim,
      `/api/v4/leads?filter[statuses][0][pipeline_id]=${main.id}&filter[statuses][0][status_id]=142`,
    );
    expect(leads.json._embedded.leads.map((l: any) => l.id)).toEqual([won]);
    sim.state.filtersEnabled = false;
    expect((await get(sim, '/api/v4/account?with=is_api_filter_enabled')).json.is_api_filter_enabled).toBe(
      false,
    );
    expect(await ids('/api/v4/companies?filter[id]=2')).toHaveLength(10);
  });

  it('custom fields: list ≤ 50 a page, create, write by field_id or field_code, read with names and enum codes, clear with null', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    for (let i = 0; i < 60; i++) sim.state.addField('companies', { name: `Поле ${i}`, type: 'text' });
    const p1 = await get(sim, '/api/v4/companies/custom_fields?limit=250');
    expect(p1.json._embedded.custom_fields).toHaveLength(50);
    expect(p1.json._links.next.href).toContain('page=2');
    expect(
      (await get(sim, '/api/v4/companies/custom_fields?limit=250&page=2')).json._embedded.custom_fields,
    ).toHaveLength(14);
    const phone = p1.json._embedded.custom_fields.find((f: any) => f.code === 'PHONE');
    expect(phone).toEqual(
      expect.objectContaining({
        type: 'multitext',
        is_predefined: true,
        entity_type: 'companies',
        name: 'Телефон',
      }),
    );
    expect(phone.enums.map((e: any) => e.value)).toEqual(['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER']);
    const created = await call(sim, 'POST', '/api/v4/companies/custom_fields', [
      { name: 'Ключ 1С', type: 'text', code: 'SVERKA_KEY', is_api_only: true, request_id: 'key' },
      { name: 'Странное', type: 'telepathy' },
    ]);
    expect(created.json['validation-errors']).toEqual([
      {
        request_id: '1',
        errors: [
          {
            code: 'NotSupportedChoice',
            path: 'type',
            detail: 'The value you selected is not a valid choice.',
          },
        ],
      },
    ]);
    const ok = await call(sim, 'POST', '/api/v4/companies/custom_fields', [
      { name: 'Ключ 1С', type: 'text', code: 'SVERKA_KEY', is_api_only: true, request_id: 'key' },
    ]);
    const key = ok.json._embedded.custom_fields[0];
    expect(key).toEqual(
      expect.objectContaining({
        name: 'Ключ 1С',
        type: 'text',
        code: 'SVERKA_KEY',
        is_api_only: true,
        request_id: 'key',
      }),
    );
    const add = await call(sim, 'POST', '/api/v4/companies', [
      {
        name: 'ООО Ромашка',
        custom_fields_values: [
          { field_code: 'SVERKA_KEY', values: [{ value: 'sverka-1c:a348aa8c' }] },
          {
            field_code: 'PHONE',
            values: [{ value: '+74951234567', enum_code: 'WORK' }, { value: '+79160001122' }],
          },
        ],
      },
    ]);
    const id = add.json._embedded.companies[0].id;
    const read = await get(sim, `/api/v4/companies/${id}`);
    expect(read.json.custom_fields_values).toEqual([
      {
        field_id: phone.id,
        field_name: 'Телефон',
        field_code: 'PHONE',
        field_type: 'multitext',
        values: [
          { value: '+74951234567', enum_id: phone.enums[0].id, enum_code: 'WORK' },
          { value: '+79160001122', enum_id: phone.enums[0].id, enum_code: 'WORK' },
        ],
      },
      {
        field_id: key.id,
        field_name: 'Ключ 1С',
        field_code: 'SVERKA_KEY',
        field_type: 'text',
        values: [{ value: 'sverka-1c:a348aa8c' }],
      },
    ]);
    // Fields not named in a PATCH stay; values: null clears one; no values left → null, not [].
    await call(sim, 'PATCH', '/api/v4/companies', [
      { id, custom_fields_values: [{ field_id: phone.id, values: null }] },
    ]);
    expect(
      (await get(sim, `/api/v4/companies/${id}`)).json.custom_fields_values.map((f: any) => f.field_code),
    ).toEqual(['SVERKA_KEY']);
    await call(sim, 'PATCH', `/api/v4/companies/${id}`, {
      custom_fields_values: [{ field_id: key.id, values: null }],
    });
    expect((await get(sim, `/api/v4/companies/${id}`)).json.custom_fields_values).toBeNull();
  });

  it('links: contacts always carry _embedded.companies, companies only with with=; a lead links a company and contacts on creation', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    await call(sim, 'POST', '/api/v4/companies', [{ name: 'ООО Ромашка' }]);
    // On a contact's add only tags count: the company link is made through the links API.
    await call(sim, 'POST', '/api/v4/contacts', [
      {
        first_name: 'Пётр',
        last_name: 'Иванов',
        _embedded: { companies: [{ id: 1 }], tags: [{ name: 'ЛПР' }] },
      },
    ]);
    const contact = await get(sim, '/api/v4/contacts/1');
    expect(contact.json.name).toBe('Пётр Иванов');
    expect(contact.json._embedded).toEqual({ tags: [{ id: 1, name: 'ЛПР', color: null }], companies: [] });
    const linked = await call(sim, 'POST', '/api/v4/contacts/1/link', [
      { to_entity_id: 1, to_entity_type: 'companies' },
    ]);
    expect(linked.json._embedded.links).toEqual([
      { entity_id: 1, entity_type: 'contacts', to_entity_id: 1, to_entity_type: 'companies', metadata: null },
    ]);
    expect((await get(sim, '/api/v4/contacts/1')).json._embedded.companies).toEqual([
      { id: 1, _links: { self: { href: `${sim.url}/api/v4/companies/1` } } },
    ]);
    const lead = await call(sim, 'POST', '/api/v4/leads', [
      {
        name: 'Заказ',
        price: 1000,
        _embedded: { companies: [{ id: 1 }], contacts: [{ id: 1, is_main: true }] },
      },
    ]);
    expect(lead.status).toBe(200);
    const company = await get(sim, '/api/v4/companies/1?with=contacts,leads');
    expect(company.json._embedded.contacts.map((c: any) => c.id)).toEqual([1]);
    expect(company.json._embedded.leads.map((c: any) => c.id)).toEqual([1]);
    expect((await get(sim, '/api/v4/companies/1')).json._embedded).toEqual({ tags: [] });
    const links = await get(sim, '/api/v4/leads/1/links');
    expect(links.json._embedded.links).toEqual([
      {
        entity_id: 1,
        entity_type: 'leads',
        to_entity_id: 1,
        to_entity_type: 'contacts',
        metadata: { main_contact: true },
      },
      { entity_id: 1, entity_type: 'leads', to_entity_id: 1, to_entity_type: 'companies', metadata: null },
    ]);
    expect(
      (
        await call(sim, 'POST', '/api/v4/contacts/1/unlink', [
          { to_entity_id: 1, to_entity_type: 'companies' },
        ])
      ).status,
    ).toBe(204);
    expect((await get(sim, '/api/v4/contacts/1')).json._embedded.companies).toEqual([]);
    const bad = await call(sim, 'POST', '/api/v4/contacts/1/link', [
      { to_entity_id: 99, to_entity_type: 'companies' },
    ]);
    expect(bad.json['validation-errors'][0].errors[0].path).toBe('to_entity_id');
  });

  it('pipelines: the main one by is_main, 142/143 in every pipeline, statuses added after the open ones, lead statuses checked', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    const all = await get(sim, '/api/v4/leads/pipelines');
    expect(all.json._total_items).toBe(2);
    const pipelines = all.json._embedded.pipelines;
    expect(pipelines.map((p: any) => [p.name, p.is_main])).toEqual([
      ['Воронка', true],
      ['Сервис', false],
    ]);
    for (const p of pipelines) {
      const ids = p._embedded.statuses.map((s: any) => s.id);
      expect(ids.slice(-2)).toEqual([142, 143]);
      expect(p._embedded.statuses[0]).toEqual(expect.objectContaining({ name: 'Неразобранное', type: 1 }));
    }
    const [main, service] = pipelines;
    const added = await call(sim, 'POST', `/api/v4/leads/pipelines/${main.id}/statuses`, [
      { name: 'К отгрузке', request_id: 's' },
    ]);
    const shipping = added.json._embedded.statuses[0];
    expect(shipping).toEqual(
      expect.objectContaining({ name: 'К отгрузке', pipeline_id: main.id, type: 0, request_id: 's' }),
    );
    const statuses = (
      await get(sim, `/api/v4/leads/pipelines/${main.id}/statuses`)
    ).json._embedded.statuses.map((s: any) => s.name);
    expect(statuses.slice(-3)).toEqual(['К отгрузке', 'Успешно реализовано', 'Закрыто и не реализовано']);
    // A new lead lands in the main pipeline's first stage; 142 without pipeline_id stays in the lead's pipeline.
    await call(sim, 'POST', '/api/v4/leads', [{ name: 'А' }, { name: 'Б', pipeline_id: service.id }]);
    const a = (await get(sim, '/api/v4/leads/1')).json;
    expect([a.pipeline_id, a.status_id, a.closed_at]).toEqual([main.id, main._embedded.statuses[1].id, null]);
    await call(sim, 'PATCH', '/api/v4/leads', [{ id: 2, status_id: 142 }]);
    const b = (await get(sim, '/api/v4/leads/2')).json;
    expect([b.pipeline_id, b.status_id, typeof b.closed_at]).toEqual([service.id, 142, 'number']);
    const wrong = await call(sim, 'PATCH', '/api/v4/leads', [
      { id: 2, status_id: shipping.id, pipeline_id: service.id },
    ]);
    expect(wrong.json['validation-errors'][0].errors[0]).toEqual(
      expect.objectContaining({ code: 'NotSupportedChoice', path: 'status_id' }),
    );
  });

  it('tasks: add (text and complete_till required), list by is_completed and updated_at, complete with a result; closest_task_at', async () => {
    let now = new Date('2026-09-01T10:00:00Z');
    sim = await startAmoCrmSimulator({ seed: companies(2), limits: false, clock: () => now });
    expect((await get(sim, '/api/v4/tasks')).status).toBe(204);
    const due = Math.floor(now.getTime() / 1000) + 48 * 3600;
    const missing = await call(sim, 'POST', '/api/v4/tasks', [{ entity_type: 'companies', entity_id: 1 }]);
    expect(missing.json['validation-errors'][0].errors.map((e: any) => [e.code, e.path])).toEqual([
      ['NotBlank', 'text'],
      ['NotBlank', 'complete_till'],
    ]);
    const add = await call(sim, 'POST', '/api/v4/tasks', [
      {
        text: 'Проверьте ИНН: в 1С 7701234567, в CRM 7701234568',
        complete_till: due,
        entity_type: 'companies',
        entity_id: 1,
        request_id: 't1',
      },
      {
        text: 'Другая',
        complete_till: due + 3600,
        entity_type: 'companies',
        entity_id: 2,
        responsible_user_id: 504142,
      },
    ]);
    expect(add.json._embedded.tasks.map((t: any) => [t.id, t.request_id])).toEqual([
      [1, 't1'],
      [2, '1'],
    ]);
    expect((await get(sim, '/api/v4/companies/1')).json.closest_task_at).toBe(due);
    const t1 = (await get(sim, '/api/v4/tasks/1')).json;
    expect(t1).toEqual(
      expect.objectContaining({
        entity_type: 'companies',
        entity_id: 1,
        is_completed: false,
        task_type_id: 1,
        responsible_user_id: 504141,
        result: [],
        complete_till: due,
      }),
    );
    now = new Date('2026-09-02T10:00:00Z');
    const done = await call(sim, 'PATCH', '/api/v4/tasks', [
      { id: 1, is_completed: true, result: { text: 'Исправил' } },
    ]);
    expect(done.json._embedded.tasks).toEqual([
      {
        id: 1,
        updated_at: Math.floor(now.getTime() / 1000),
        request_id: '0',
        _links: { self: { href: `${sim.url}/api/v4/tasks/1` } },
      },
    ]);
    const open = await get(sim, '/api/v4/tasks?filter[is_completed]=0');
    expect(open.json._embedded.tasks.map((t: any) => t.id)).toEqual([2]);
    const completed = await get(
      sim,
      `/api/v4/tasks?filter[is_completed]=1&filter[updated_at][from]=${Math.floor(now.getTime() / 1000)}`,
    );
    expect(completed.json._embedded.tasks.map((t: any) => [t.id, t.result])).toEqual([
      [1, { text: 'Исправил' }],
    ]);
    expect(
      (await get(sim, '/api/v4/tasks?filter[entity_type]=companies&filter[entity_id][]=2')).json._embedded
        .tasks,
    ).toHaveLength(1);
    expect((await get(sim, '/api/v4/companies/1')).json.closest_task_at).toBeNull();
    // A manager completes the other one in the interface.
    sim.state.completeTask(2, 'Позвонил');
    expect((await get(sim, '/api/v4/tasks?filter[is_completed]=0')).status).toBe(204);
    const single = await call(sim, 'PATCH', '/api/v4/tasks/2', { complete_till: due + 7200 });
    expect(Object.keys(single.json).sort()).toEqual(['_links', 'id', 'updated_at']);
  });

  it('faults: a lost response keeps the write; 5xx before anything runs; 402 when unpaid; the call log counts per route', async () => {
    sim = await startAmoCrmSimulator({ limits: false });
    sim.setFaults({ lostResponseRate: 1 });
    await expect(call(sim, 'POST', '/api/v4/companies', [{ name: 'Потерянный ответ' }])).rejects.toThrow();
    expect(sim.state.list('companies').map((c) => c.name)).toEqual(['Потерянный ответ']);
    sim.setFaults({ lostResponseEvery: 2 });
    expect((await call(sim, 'POST', '/api/v4/companies', [{ name: 'Первый' }])).status).toBe(200);
    await expect(
      call(sim, 'POST', '/api/v4/companies', [{ name: 'Второй, ответ потерян' }]),
    ).rejects.toThrow();
    expect(sim.state.count('companies')).toBe(3);
    sim.state.deleteInInterface('companies', 2);
    sim.state.deleteInInterface('companies', 3);
    sim.setFaults({ errorRate: 1 });
    const err = await call(sim, 'POST', '/api/v4/companies', [{ name: 'Не сохранится' }]);
    expect([err.status, err.json.title, typeof err.json.trace_id]).toEqual([
      500,
      'ErrInternalServer',
      'string',
    ]);
    sim.setFaults({ errorRate: 1, errorStatus: 503 });
    expect((await get(sim, '/api/v4/companies')).status).toBe(503);
    sim.setFaults({ unpaid: true });
    expect((await get(sim, '/api/v4/companies')).json).toEqual({
      title: 'Payment Required',
      type: 'https://httpstatus.es/402',
      status: 402,
      detail: 'Payment required',
    });
    sim.setFaults({});
    await get(sim, '/api/v4/companies/1');
    expect(sim.state.count('companies')).toBe(1);
    const s = sim.summary();
    expect(s.byRoute).toEqual({
      'POST /api/v4/companies': 4,
      'GET /api/v4/companies': 2,
      'GET /api/v4/companies/{id}': 1,
    });
    // Writes that ran: the lost one, not the one refused with 500 before it ran.
    expect([s.requests, s.writeRequests, s.writeItems]).toEqual([7, 3, 3]);
    expect(sim.calls[0].lost).toBe(true);
  });

  it('seeds from the generated data set (same ids, INN/KPP fields, phones) and applies its drift through driftTarget()', async () => {
    const dataset = generateDataset({ seed: 5, counterparties: 300 });
    const sims = await startSimulators({ dataset, crm: 'amocrm', amocrmLimits: false });
    try {
      sim = sims.amocrm.sim;
      expect(sims.amocrm.baseUrl).toBe(sim.url);
      expect(sims.amocrm.token).toBe(sim.token);
      expect(sim.state.count('companies')).toBe(dataset.crm.companies.length);
      const requisite = dataset.crm.requisites.find((r) => r.RQ_INN && r.RQ_KPP)!;
      const id = Number(requisite.ENTITY_ID);
      const company = dataset.crm.companies.find((c) => c.id === id)!;
      expect(sim.state.get('companies', id)!.name).toBe(company.title);
      expect([sim.state.valueOf('companies', id, 'ИНН'), sim.state.valueOf('companies', id, 'КПП')]).toEqual([
        requisite.RQ_INN,
        requisite.RQ_KPP,
      ]);
      expect(sim.state.findByField('companies', 'ИНН', requisite.RQ_INN)).toContain(id);
      const withPhone = dataset.crm.companies.find((c) => c.fm.some((f) => f.typeId === 'PHONE'))!;
      expect(sim.state.valueOf('companies', withPhone.id, 'PHONE')).toBe(
        withPhone.fm.find((f) => f.typeId === 'PHONE')!.value,
      );
      for (const d of dataset.truth.duplicates)
        for (const m of d.members.filter((x) => x.system === 'crm'))
          expect(sim.state.get('companies', Number(m.id))?.name).toBe(m.name);
      // As a sync would leave it: the link key on a company per live counterparty, a lead per order.
      const key = sim.state.addField('companies', { name: 'Ключ 1С', type: 'text' });
      const leadKey = sim.state.addField('leads', { name: 'Ключ 1С', type: 'text' });
      const main = sim.state.mainPipeline();
      for (const [i, name] of ['Новый заказ', 'К обеспечению', 'К выполнению', 'К отгрузке'].entries())
        sim.state.pipelines[0].statuses.push({
          id: 90000 + i,
          name,
          sort: 60 + i,
          is_editable: true,
          pipeline_id: main.id,
          color: '#99ccff',
          type: 0,
        });
      for (const row of dataset.onec.counterparties.filter((r) => !r.IsFolder && !r.DeletionMark))
        sim.state.add('companies', {
          name: row.Description,
          custom_fields_values: [{ field_id: key.id, values: [{ value: `sverka-1c:${row.Ref_Key}` }] }],
        });
      for (const o of dataset.onec.orders.filter((r) => r.Posted && !r.DeletionMark))
        sim.state.add('leads', {
          name: o.Number,
          custom_fields_values: [{ field_id: leadKey.id, values: [{ value: `sverka-1c:${o.Ref_Key}` }] }],
        });
      const plan = planDrift(dataset, 9);
      const result = await applyDrift(plan, sim.driftTarget());
      const invoiceOps = plan.ops.filter((o) => o.op === 'changeInvoiceSum');
      expect(result.skipped.map((s) => s.reason)).toEqual(invoiceOps.map(() => 'the CRM has no invoices'));
      expect(result.applied).toBe(plan.ops.length - invoiceOps.length);
      const target = sim.driftTarget();
      for (const f of plan.expect.fieldMismatches) {
        const cid = Number(target.companyIdOf(f.ref));
        if (f.field === 'title') expect(sim.state.get('companies', cid)!.name).toBe(f.crmValue);
        if (f.field === 'inn') expect(sim.state.valueOf('companies', cid, 'ИНН')).toBe(f.crmValue);
      }
      for (const ref of plan.expect.missingInCrm) expect(target.companyIdOf(ref)).toBeUndefined();
      for (const s of plan.expect.statusMismatches) {
        const lead = sim.state.get('leads', Number(target.dealIdOf(s.orderRef)))!;
        const want = { WON: 142, LOSE: 143 }[s.crmStage as 'WON' | 'LOSE'];
        if (want) expect(lead.status_id).toBe(want);
        else expect(sim.state.status(main.id, Number(lead.status_id))!.name).not.toBe('Первичный контакт');
      }
      for (const c of plan.expect.crossDuplicates) {
        const added = Number(result.addedCompanyIdByRef[c.ref]);
        expect(sim.state.get('companies', added)!.name).toBe(c.title);
      }
    } finally {
      await sims.close();
      sim = undefined as unknown as AmoCrmSimulator;
    }
  });

  it('serves the card pages reports link to (no token, outside the limit and the call log); 404 for a missing or deleted record', async () => {
    sim = await startAmoCrmSimulator({ seed: companies(2), limits: { rps: 1, blockAfter: 1 } });
    sim.state.add('leads', { name: 'Заказ <7>' });
    const page = async (path: string) => {
      const r = await fetch(`${sim.url}${path}`);
      return [r.status, r.headers.get('content-type'), await r.text()] as const;
    };
    const [status, type, html] = await page('/companies/detail/1');
    expect([status, type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(html).toContain('<h1>Компания 1</h1>');
    expect((await page('/leads/detail/1'))[2]).toContain('<h1>Заказ &lt;7&gt;</h1>');
    sim.state.deleteInInterface('companies', 2);
    for (const path of ['/companies/detail/2', '/contacts/detail/1', '/companies/detail/99'])
      expect((await page(path))[0]).toBe(404);
    expect([sim.calls.length, sim.blocked]).toEqual([0, false]);
  });
});
