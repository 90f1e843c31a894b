/**
 * A bench's numeric arguments: `--name=N` on the command line, else `<envPrefix>_NAME` in the
 * environment (dashes become underscores), else the default.
 */
export function numberArgs(
  args: readonly string[],
  envPrefix?: string,
): (name: string, def: number) => number {
  return (name, def) => {
    const given = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
    const env = envPrefix ? process.env[`${envPrefix}_${name.toUpperCase().replace(/-/g, '_')}`] : undefined;
    const raw = given ?? env;
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`bench argument ${name}: ${raw} is not a number`);
    return n;
  };
}
