/** Words that only ever stand for "fill this in" (`.env.example` uses `change-me`). */
const PLACEHOLDER_WORDS = /\b(change[-_ ]?me|replace[-_ ]?me)\b/i;

/** Hosts of `.env.example` and the documentation: any host with a label `example` (RFC 2606 and alike). */
function exampleHost(value: string): string | null {
  const hosts: string[] = [];
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) hosts.push(new URL(value).hostname);
  } catch {
    // not a URL: the schema reports it
  }
  for (const m of value.matchAll(/@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g)) hosts.push(m[1]);
  return hosts.find((h) => h.toLowerCase().split('.').includes('example')) ?? null;
}

/**
 * Why a setting still holds a value copied from `.env.example` rather than a real one, or null.
 * Names the variable and the kind of placeholder, never the value (it may be a secret): a URL's host
 * is named (hosts are not secret), a password is not.
 */
export function placeholderProblem(name: string, value: string | undefined): string | null {
  if (!value) return null;
  if (PLACEHOLDER_WORDS.test(value))
    return `${name}: still holds a placeholder from .env.example (such as "change-me"): set the real value`;
  const host = exampleHost(value);
  if (host) return `${name}: ${host} is a placeholder host from .env.example: set the real address`;
  return null;
}
