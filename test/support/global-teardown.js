import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  await globalThis.__SVERKA_PG__?.stop();
  const parent = globalThis.__SVERKA_PG_PARENT__;
  if (parent) rmSync(parent, { recursive: true, force: true });
}
