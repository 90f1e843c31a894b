/** Words that only ever stand for "fill this in" (`.env.example` uses `change-me`). */
const PLACEHOLDER_WORDS = /\b(change[-_ ]?me|replace[-_ ]?me)\b/i;

/**
 * Hosts of `.env.example` and the documentation in a URL setting: any host with a label `example`
 * (1c.example.ru, example.bitrix24.ru). Only URLs: e-mail addresses are left alone (tests and the demo
 * write to example domains on purpose, and a wrong recipient shows in the report's delivery record).
 */
function exampleHost(value: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return null;
  let host: string;
  try {
    host = new URL(value).hostname;
  } catch {
    return null; // not a URL: the schema reports it
  }
  return host.toLowerCase().split('.').includes('example') ? host : null;
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
