import { charsetOf } from './website-charset.ts';

/**
 * One GET for the crawler: redirects followed by hand so every hop is checked (allowlist, robots.txt)
 * before it is requested, one deadline for the whole exchange, and a byte cap on the body.
 */

export interface FetchRefusal {
  kind: 'refused';
  url: URL;
  code: string;
  message: string;
}

export interface FetchedResponse {
  kind: 'response';
  /** The URL that answered, after redirects. */
  url: URL;
  status: number;
  /** The media type without parameters, lower-case; empty when the server sent none. */
  mediaType: string;
  /** The Content-Type's `charset`, lower-case, when given. */
  charset: string | undefined;
  body: Uint8Array;
  truncated: boolean;
}

export type FetchOutcome = FetchedResponse | FetchRefusal;

export interface FetchLimits {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** `fail`: a bigger body is refused (`fetch.too_large`); `truncate`: its first `maxBytes` are kept. */
  overflow: 'fail' | 'truncate';
  /** Checked before each hop is requested; a refusal stops the fetch there. */
  guard: (url: URL) => Promise<FetchRefusal | undefined>;
  /** The sync's signal: when it aborts, the fetch throws instead of reporting a failure. */
  signal: AbortSignal;
}

const messageOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
};

async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (response.body === null) return { body: new Uint8Array(0), truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { body: Buffer.concat(chunks), truncated: false };
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { body: Buffer.concat(chunks).subarray(0, maxBytes), truncated: true };
    }
  }
}

export async function fetchPage(start: URL, limits: FetchLimits): Promise<FetchOutcome> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([limits.signal, deadline]);
  let url = start;
  try {
    for (let hop = 0; ; hop++) {
      const refusal = await limits.guard(url);
      if (refusal !== undefined) return refusal;
      const response = await fetch(url, {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { 'user-agent': limits.userAgent, accept: 'text/html,text/*;q=0.9,*/*;q=0.8' },
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        if (hop >= limits.maxRedirects) {
          return {
            kind: 'refused',
            url,
            code: 'fetch.too_many_redirects',
            message: `More than ${limits.maxRedirects} redirects`,
          };
        }
        const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
        if (next === undefined || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
          return {
            kind: 'refused',
            url,
            code: 'fetch.bad_redirect',
            message: `Redirect to "${location}", not an http(s) URL`,
          };
        }
        next.hash = '';
        url = next;
        continue;
      }
      const contentType = response.headers.get('content-type');
      const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const { body, truncated } = await readCapped(response, limits.maxBytes);
      if (truncated && limits.overflow === 'fail') {
        return {
          kind: 'refused',
          url,
          code: 'fetch.too_large',
          message: `The body is over ${limits.maxBytes} bytes`,
        };
      }
      const charset = charsetOf(contentType);
      return { kind: 'response', url, status: response.status, mediaType, charset, body, truncated };
    }
  } catch (error) {
    if (limits.signal.aborted) throw limits.signal.reason;
    if (deadline.aborted) {
      return {
        kind: 'refused',
        url,
        code: 'fetch.timeout',
        message: `No complete answer within ${limits.timeoutMs} ms`,
      };
    }
    return { kind: 'refused', url, code: 'fetch.network', message: messageOf(error) };
  }
}
