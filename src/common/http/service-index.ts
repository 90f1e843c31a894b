/** What `GET /` and `GET /api/v1` answer: where things are, so a curl or a browser at the root is not lost. */
export function serviceIndex() {
  return {
    name: 'Sverka',
    description: 'Syncs 1C:Enterprise to a CRM and reconciles both daily.',
    links: {
      api: '/api/v1',
      docs: '/docs',
      openapi: '/docs-json',
      health: '/health/ready',
      metrics: '/metrics',
    },
    auth: 'Every /api/v1 call needs "Authorization: Bearer <api key>" (npm run apikey -- create).',
  };
}
