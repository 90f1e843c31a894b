/** A short, secret-free description of an error for logs, run summaries and health output. */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; code?: unknown; message?: string };
    const code = typeof e.code === 'string' ? `${e.code}: ` : '';
    return redactSecrets(`${code}${e.message ?? String(err)}`);
  }
  return redactSecrets(String(err));
}

/**
 * Removes secrets that can hide in messages: credentials in URLs, Bitrix24 webhook secrets
 * (`/rest/<user>/<secret>/`), bearer tokens and API keys.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\w+:\/\/)([^/@\s:]+):([^/@\s]+)@/g, '$1$2:***@')
    .replace(/(\/rest\/\d+\/)[^/\s]+/g, '$1***')
    .replace(/(Bearer\s+)\S+/gi, '$1***')
    .replace(/svk_[A-Za-z0-9_-]{10,}/g, 'svk_***');
}
