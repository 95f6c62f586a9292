/** Argument names that say where an outgoing message, file or payment goes. */
const DESTINATION_KEY = /^(to|cc|bcc|recipients?|email|address|host|domain|url|link|channel|payee|iban)$/i;
const URL_IN_TEXT = /\bhttps?:\/\/([^/\s?#)"'\]]+)/gi;

function hostOf(value: string): string {
  const at = value.lastIndexOf('@');
  if (at !== -1) return value.slice(at + 1).toLowerCase();
  try {
    return new URL(value).hostname.toLowerCase();
  } catch {
    return value.toLowerCase();
  }
}

/** Every destination an argument object names: values under destination keys and URLs inside any text. */
export function destinations(value: unknown, key = ''): string[] {
  if (typeof value === 'string') {
    const found = [...value.matchAll(URL_IN_TEXT)].map((match) => (match[1] ?? '').toLowerCase());
    if (DESTINATION_KEY.test(key) && value.trim() !== '') found.push(value.trim().toLowerCase());
    return found;
  }
  if (Array.isArray(value)) return value.flatMap((item) => destinations(item, key));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([name, item]) => destinations(item, name));
  }
  return [];
}

/** `example.com` allows itself, its subdomains and addresses at them; an exact entry allows just that. */
export function isAllowedDestination(destination: string, allowlist: readonly string[]): boolean {
  const host = hostOf(destination);
  return allowlist.some((entry) => {
    const allowed = entry.toLowerCase();
    return destination === allowed || host === allowed || host.endsWith(`.${allowed}`);
  });
}

/** Destinations outside the allowlist (an absent allowlist allows everything). */
export function destinationsOutside(input: unknown, allowlist: readonly string[] | undefined): string[] {
  if (allowlist === undefined) return [];
  return [...new Set(destinations(input))].filter((d) => !isAllowedDestination(d, allowlist));
}
