import { runDedupeCli } from '../dedupe/dedupe-cli.js';

/** `npm run dedupe -- <file> [--format json|csv] [--scope …]`: duplicate clusters of a CSV/JSON file (no database). */
runDedupeCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
