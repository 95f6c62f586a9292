import { hostAllowed } from '../../../core/tools/builtin/http-fetch.ts';

/**
 * A URL as the crawler keys it: http(s) only, no credentials, no fragment, lower-case scheme and host
 * (the URL parser does that and drops a default port and dot segments), and no empty `?`.
 * Returns undefined for anything the crawler never fetches.
 */
export function canonicalUrl(raw: string, base?: URL): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  url.hash = '';
  // `search` reads '' for a bare `?`, but the href keeps it until search is set.
  if (url.search === '') url.search = '';
  return url;
}

/** `hostname:port` with the scheme's default port spelled out: what a default allowlist entry holds. */
export function hostWithPort(url: URL): string {
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return `${url.hostname}:${port}`;
}

/** Entries as `tools.httpFetch.allowHosts` reads them: `host` (any port), `host:port`, `*.domain`. */
export function onAllowlist(url: URL, allowHosts: readonly string[]): boolean {
  return hostAllowed(url, allowHosts);
}

/** `scheme://host:port`: robots.txt applies per origin. */
export const originOf = (url: URL): string => `${url.protocol}//${hostWithPort(url)}`;
