import { allowedMethods, type RouteLayer } from './method-not-allowed.js';

function route(pattern: RegExp, ...methods: string[]): RouteLayer {
  return {
    route: { methods: Object.fromEntries(methods.map((m) => [m, true])) },
    match: (path: string) => pattern.test(path),
  };
}

const EVERY = [
  'acl',
  'bind',
  'copy',
  'delete',
  'get',
  'head',
  'lock',
  'merge',
  'options',
  'patch',
  'post',
  'put',
];

describe('allowedMethods', () => {
  const stack: RouteLayer[] = [
    { match: () => true }, // a middleware: no route
    route(/^\/api\/v1\/reconciliations$/, 'post'),
    route(/^\/api\/v1\/reconciliations$/, 'get'),
    route(/^\/api\/v1\/reconciliations\/[^/]+$/, 'get'),
    route(/^\/health\/ready$/, 'get'),
    route(/^\/health\/ready$/, ...EVERY), // NestJS's not-found catch-all for a path outside the prefix
    {
      route: { methods: { get: true } },
      match: () => {
        throw new URIError('Failed to decode param');
      },
    },
  ];

  it('lists every method of every route matching the path, HEAD with GET', () => {
    expect(allowedMethods(stack, '/api/v1/reconciliations')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(stack, '/api/v1/reconciliations/latest')).toEqual(['GET', 'HEAD']);
  });

  it('ignores catch-all routes that take every method', () => {
    expect(allowedMethods(stack, '/health/ready')).toEqual(['GET', 'HEAD']);
  });

  it('is empty for a path nothing serves, and skips a route that cannot decode it', () => {
    expect(allowedMethods(stack, '/nothing')).toEqual([]);
  });
});
