import { parseArgs } from 'node:util';
import { ApiKey } from '../auth/api-key.entity.js';
import { ApiKeyService } from '../auth/api-key.service.js';
import { ROLES, type Role } from '../auth/roles.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { openCliDatabase } from './cli-database.js';
import { formatTable } from './format-table.js';

const USAGE = `Usage:
  npm run apikey -- create --name <name> --role viewer|operator|admin
  npm run apikey -- list
  npm run apikey -- revoke --name <name>`;

/** `npm run apikey -- …`: creates (prints the key once), lists and revokes API keys. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string' } },
  });
  const command = positionals[0];
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'create' && (!values.name || !ROLES.includes(values.role as Role))) {
    process.stderr.write(`create needs --name and --role (one of ${ROLES.join(', ')})\n${USAGE}\n`);
    return 2;
  }
  if (command === 'revoke' && !values.name) {
    process.stderr.write(`revoke needs --name\n${USAGE}\n`);
    return 2;
  }
  const ds = await openCliDatabase();
  try {
    const keys = new ApiKeyService(ds.getRepository(ApiKey));
    const audit = ds.getRepository(AuditEvent);
    if (command === 'create') {
      const { key, identity } = await keys.create(values.name!, values.role as Role);
      await audit.save(
        audit.create({
          action: 'apikey.create',
          target: identity.name,
          outcome: 'ok',
          detail: { role: identity.role, via: 'cli' },
        }),
      );
      process.stdout.write(`${key}\n`);
      process.stderr.write(
        `Created API key "${identity.name}" (${identity.role}). It is shown only now: store it safely.\n`,
      );
    } else if (command === 'list') {
      const rows = await keys.list();
      const table = formatTable(
        ['name', 'role', 'prefix', 'created', 'last used', 'state'],
        rows.map((k) => [
          k.name,
          k.role,
          `${k.keyPrefix}…`,
          k.createdAt.toISOString(),
          k.lastUsedAt?.toISOString() ?? '-',
          k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active',
        ]),
      );
      process.stdout.write(`${table}\n`);
    } else {
      const k = await keys.revoke(values.name!);
      await audit.save(
        audit.create({ action: 'apikey.revoke', target: k.name, outcome: 'ok', detail: { via: 'cli' } }),
      );
      process.stdout.write(`Revoked API key "${k.name}".\n`);
    }
    return 0;
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`apikey: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(1);
  },
);
