/**
 * A whole-number setting of a command-line entry point (SIM_*), checked: a wrong value stops the
 * command with a message naming the variable.
 */
export function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`${name} must be a whole number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return n;
}
