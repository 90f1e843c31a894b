import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the request generator reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** One documented operation, its `$ref`s resolved. */
export interface ApiOperation {
  /** e.g. `POST /api/v1/conflicts/{id}/resolve` */
  name: string;
  method: string;
  template: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body: Schema | null;
}

/** A request as the generator builds it; `label` says which part was made invalid (or `valid`). */
export interface ApiRequest {
  operation: string;
  label: string;
  method: string;
  /** Path and query, percent-encoded as they go on the wire. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What the generator needs from the running app: keys per role and values that exist. */
export interface Known {
  keys: { viewer: string; operator: string; admin: string; revoked: string };
  /** Existing values for a path parameter of an operation (run ids, conflict ids, key names). */
  pathValues(operation: ApiOperation, param: string): string[];
  /** Cursors the lists handed out. */
  cursors: string[];
  /**
   * Values of a body property that the service accepts beyond its schema (e.g. the CRM ids of a review
   * item's candidates): valid bodies use them most of the time, so accepted calls are not left to chance.
   */
  bodyValues?(operation: ApiOperation, property: string): unknown[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function documentedOperations(doc: OpenApiDocument): ApiOperation[] {
  const deref = (s: Schema | undefined): Schema | null => {
    if (!s) return null;
    if (s.$ref) return deref(doc.components?.schemas?.[s.$ref.split('/').pop()!]);
    return s;
  };
  const ops: ApiOperation[] = [];
  for (const [template, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      if (!METHODS.includes(method)) continue;
      const params = op.parameters ?? [];
      ops.push({
        name: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: deref(op.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return ops;
}

// ---- values ----

/** Text that breaks naive code: empty, spaces, quotes, SQL, paths, nulls, Cyrillic, emoji, long runs. */
const nasty = fc.constantFrom(
  '',
  ' ',
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  '[]',
  '{}',
  "' OR 1=1 --",
  '"; DROP TABLE api_key; --',
  '../../etc/passwd',
  '%00',
  '\u0000',
  'ё',
  'ООО «Ромашка»',
  '🙂',
  '\ud800',
  'a'.repeat(5000),
  '9'.repeat(40),
  '00000000-0000-0000-0000-000000000000',
  '2026-13-45T99:99:99Z',
);

/** Any string: short ASCII, any code point, a nasty one, or one with a NUL inside (PostgreSQL refuses NUL in text). */
const anyString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  { weight: 3, arbitrary: nasty },
  fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })).map(([a, b]) => `${a}\u0000${b}`),
  fc.uuid().map(String),
  fc.integer().map(String),
  fc.double().map(String),
);

/** JSON nested deeper than any schema: arrays or objects, a few thousand levels. */
const deepJson = fc
  .tuple(fc.integer({ min: 1000, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** A value no schema asks for at this place: the wrong JSON type, or a JSON value of any shape. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  anyString,
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { maxKeys: 3 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/**
 * A value the schema allows. `knownValues`: for an object's properties, values the service accepts beyond
 * the schema (`Known.bodyValues`), drawn most of the time.
 */
export function validValue(
  schema: Schema | null,
  knownValues?: (property: string) => unknown[],
): fc.Arbitrary<unknown> {
  if (!schema) return fc.constant({});
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'boolean':
      return fc.boolean();
    case 'number':
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'array':
      return schema.items?.enum
        ? fc.uniqueArray(fc.constantFrom(...schema.items.enum), { maxLength: schema.items.enum.length })
        : fc.array(validValue(schema.items ?? null), { maxLength: 3 });
    case 'object': {
      const props = schema.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(props).map(([k, s]) => {
          const values = knownValues?.(k) ?? [];
          const arbitrary = validValue(s);
          return [
            k,
            values.length
              ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary })
              : arbitrary,
          ];
        }),
      );
      return fc.record(model, { requiredKeys: schema.required ?? [] });
    }
    default:
      return schema.pattern
        ? fc.stringMatching(new RegExp(schema.pattern))
        : fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
  }
}

/** A value the schema refuses (or, for a free string, any string). */
export function invalidValue(schema: Schema | null): fc.Arbitrary<unknown> {
  if (!schema) return anyJson;
  const wrong = (ok: (v: unknown) => boolean) => anyJson.filter((v) => !ok(v));
  if (schema.enum)
    return fc.oneof(
      anyString.filter((v) => !schema.enum!.includes(v)),
      wrong((v) => typeof v === 'string'),
    );
  switch (schema.type) {
    case 'boolean':
      return fc.oneof(
        fc.constantFrom('true', 'false', 0, 1, 'yes'),
        wrong((v) => typeof v === 'boolean'),
      );
    case 'number':
    case 'integer':
      return fc.oneof(
        fc.constantFrom(
          (schema.minimum ?? 0) - 1,
          (schema.maximum ?? 1_000_000) + 1,
          0.5,
          -0.0001,
          1e308,
          String(schema.minimum ?? 1),
        ),
        wrong((v) => typeof v === 'number'),
      );
    case 'array':
      return fc.oneof(
        fc.array(invalidValue(schema.items ?? null), { minLength: 1, maxLength: 3 }),
        schema.items?.enum ? fc.constant([schema.items.enum[0], schema.items.enum[0]]) : fc.constant([[]]),
        wrong((v) => Array.isArray(v)),
      );
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      const base = validValue(schema) as fc.Arbitrary<Record<string, unknown>>;
      const variants: fc.Arbitrary<unknown>[] = [
        // one property made invalid
        ...props.map(([k, s]) => fc.tuple(base, invalidValue(s)).map(([o, v]) => ({ ...o, [k]: v }))),
        // an unknown property
        fc
          .tuple(base, fc.string({ minLength: 1, maxLength: 12 }), anyJson)
          .filter(([, k]) => !(k in (schema.properties ?? {})) && k !== '__proto__')
          .map(([o, k, v]) => ({ ...o, [k]: v })),
        // a required property missing
        ...(schema.required ?? []).map((k) =>
          base.map((o) => {
            const { [k]: _gone, ...rest } = o;
            return rest;
          }),
        ),
        // not an object at all
        wrong((v) => v !== null && typeof v === 'object' && !Array.isArray(v)),
      ];
      return fc.oneof(...variants);
    }
    default:
      return fc.oneof(
        anyString,
        wrong((v) => typeof v === 'string'),
      );
  }
}

/** A query parameter's value as text: valid for its schema, a known cursor, or anything. */
function queryValue(p: Parameter, known: Known, valid: boolean): fc.Arbitrary<string> {
  if (p.name === 'cursor')
    return valid && known.cursors.length
      ? fc.constantFrom(...known.cursors)
      : fc.oneof(
          anyString,
          // Well-formed cursors with keys and values the lists never hand out.
          fc
            .dictionary(fc.constantFrom('id', 'createdAt', 'created_at', 'finishedAt', 'at', 'x'), anyJson, {
              maxKeys: 3,
            })
            .map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')),
        );
  const v = valid ? validValue(p.schema ?? null) : invalidValue(p.schema ?? null);
  return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

/**
 * Text as it goes into a URL, byte by byte as UTF-8 (a lone surrogate becomes U+FFFD, as on the wire):
 * percent-encoded, or `raw` — `%` and most punctuation left as they are, so it may be invalid
 * percent-encoding or carry `..` and `;` to the server.
 */
function urlPart(s: string, raw: boolean): string {
  const keep = raw ? /[A-Za-z0-9\-._~%!$&'()*+,;=:@]/ : /[A-Za-z0-9\-._~]/;
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && keep.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Header-safe text (fetch refuses control characters and non-Latin-1 in headers). */
const headerText = fc
  .string({ unit: 'binary-ascii', maxLength: 80 })
  .map((s) => s.replace(/[^\x20-\x7e]/g, 'x'));

function authorization(known: Known): fc.Arbitrary<string | undefined> {
  const { keys } = known;
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${keys.admin}`) },
    { weight: 4, arbitrary: fc.constant(`Bearer ${keys.operator}`) },
    { weight: 4, arbitrary: fc.constant(`Bearer ${keys.viewer}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${keys.revoked}`) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'Basic dXNlcjpwYXNz',
          `bearer ${keys.admin}`,
          `Bearer  ${keys.admin}`,
          `Bearer ${keys.admin}x`,
          `Bearer ${keys.admin.slice(0, 20)}`,
          'Bearer svk_',
        ),
        headerText.map((s) => `Bearer ${s}`),
      ),
    },
  );
}

const accept = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.oneof(
      fc.constantFrom(
        'application/json',
        'text/html',
        'text/csv',
        '*/*',
        'text/plain',
        'application/xml',
        'text/csv;q=0.5, text/html;q=0.9',
        'image/png',
      ),
      headerText,
    ),
  },
);

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/merge-patch+json',
      'application/xml',
    ),
  },
  { weight: 1, arbitrary: headerText },
);

/**
 * Requests for one operation: mostly valid in every part, otherwise with one part made invalid —
 * a path parameter, a query (bad value, unknown name, repeated name, raw encoding), a header, or the
 * body (schema-invalid JSON, not JSON, the wrong type, empty, over the size limit).
 */
export function requestFor(op: ApiOperation, known: Known): fc.Arbitrary<ApiRequest> {
  const pathValue = (p: Parameter, valid: boolean) => {
    const existing = known.pathValues(op, p.name);
    return valid && existing.length
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...existing) },
          { weight: 1, arbitrary: fc.uuid().map(String) },
        )
      : fc.oneof(
          anyString,
          fc.uuid().map(String),
          fc.constantFrom('%E0%A4%A', '%', '..', '%2e%2e', 'a%2Fb', ';'),
        );
  };
  const part = fc.constantFrom('valid', 'valid', 'valid', 'path', 'query', 'header', 'body', 'method');
  return part.chain((label) => {
    const paths = fc.tuple(
      ...op.pathParams.map((p) =>
        fc
          .tuple(pathValue(p, label !== 'path'), fc.boolean())
          .map(([v, raw]) => [p.name, label === 'path' && raw, v] as const),
      ),
    );
    const queries = fc.subarray(op.queryParams).chain((chosen) =>
      fc.tuple(
        fc.tuple(
          ...chosen.map((p) => queryValue(p, known, label !== 'query').map((v) => [p.name, v] as const)),
        ),
        label === 'query'
          ? fc.oneof(
              fc.constant<[string, string][]>([]),
              fc
                .tuple(fc.string({ minLength: 1, maxLength: 10 }), anyString)
                .map(([k, v]) => [[k, v]] as [string, string][]),
              fc.constant<[string, string][]>([
                ['limit', '1'],
                ['limit', '2'],
              ]),
              fc.constant<[string, string][]>([
                ['kind[]', 'x'],
                ['limit[$gt]', '1'],
              ]),
            )
          : fc.constant<[string, string][]>([]),
        fc.boolean(),
      ),
    );
    const headers = fc.record(
      {
        authorization: authorization(known),
        accept,
        idempotency: fc.option(fc.oneof(headerText, fc.constantFrom('k-1', 'k-2', ' ', 'x'.repeat(300))), {
          nil: undefined,
        }),
        requestId: fc.option(
          fc.oneof(fc.constantFrom('req-1', 'bad id with spaces', 'x'.repeat(100)), headerText),
          {
            nil: undefined,
          },
        ),
        contentType,
      },
      { requiredKeys: ['authorization', 'accept', 'contentType'] },
    );
    const bodies: fc.Arbitrary<string | undefined> =
      op.method === 'GET'
        ? fc.constant(undefined)
        : label === 'body'
          ? fc.oneof(
              invalidValue(op.body).map((v) => JSON.stringify(v) ?? 'undefined'),
              validValue(op.body).map((v) => JSON.stringify(v).slice(0, -1)), // cut short: not JSON
              fc.constantFrom(
                '',
                'null',
                '{',
                '{"a":}',
                '[]',
                '"text"',
                '42',
                'dedupe=true',
                '\u0000',
                '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}}}',
                '{"entities":["counterparties"],"entities":["debts"]}',
                '{"sampleSize":1e400}',
              ),
              // Deep nesting, alone and as the value of each documented property.
              deepJson,
              fc
                .tuple(fc.constantFrom(...Object.keys(op.body?.properties ?? { x: null })), deepJson)
                .map(([k, deep]) => `{${JSON.stringify(k)}:${deep}}`),
              fc.constant(JSON.stringify({ pad: 'x'.repeat(150_000) })), // over the body size limit
            )
          : op.body
            ? fc.oneof(
                {
                  weight: 9,
                  arbitrary: validValue(op.body, known.bodyValues && ((k) => known.bodyValues!(op, k))).map(
                    (v) => JSON.stringify(v),
                  ),
                },
                { weight: 1, arbitrary: fc.constant(undefined) },
              )
            : fc.option(fc.constant('{}'), { nil: undefined, freq: 3 });
    const wrongMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE');
    return fc
      .tuple(paths, queries, headers, bodies, wrongMethod)
      .map(([pv, [q, extra, raw], h, body, other]) => {
        let path = op.template;
        for (const [name, rawPart, v] of pv) path = path.replace(`{${name}}`, urlPart(v, rawPart) || '%20');
        const pairs = [...q, ...extra];
        const query = pairs.length
          ? `?${pairs.map(([k, v]) => `${urlPart(k, raw && label === 'query')}=${urlPart(v, raw && label === 'query')}`).join('&')}`
          : '';
        const headersOut: Record<string, string> = {};
        if (h.authorization !== undefined) headersOut.Authorization = h.authorization;
        if (h.accept !== undefined) headersOut.Accept = h.accept;
        if (h.idempotency !== undefined) headersOut['Idempotency-Key'] = h.idempotency;
        if (h.requestId !== undefined) headersOut['X-Request-Id'] = h.requestId;
        const method = label === 'method' ? other : op.method;
        const withBody = body !== undefined && method !== 'GET';
        if (withBody)
          headersOut['Content-Type'] =
            label === 'body' || label === 'header' ? h.contentType : 'application/json';
        const out: ApiRequest = {
          operation: op.name,
          label,
          method,
          url: path + query,
          headers: headersOut,
          ...(withBody ? { body } : {}),
        };
        // fast-check prints a counterexample with this: short, whatever the size of the body.
        Object.defineProperty(out, fc.toStringMethod, {
          value: () => describeRequest(out),
          enumerable: false,
        });
        return out;
      });
  });
}

/** One line for a report: method, URL, which part was made invalid, headers and the body, cut short. */
export function describeRequest(r: ApiRequest): string {
  const cut = (text: string, n: number) =>
    text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text;
  return `${r.method} ${cut(r.url, 200)} [${r.label}] ${JSON.stringify(r.headers)}${r.body === undefined ? '' : ` body ${cut(r.body, 200)}`}`;
}
