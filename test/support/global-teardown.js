export default async function globalTeardown() {
  await globalThis.__SVERKA_PG__?.stop();
}
