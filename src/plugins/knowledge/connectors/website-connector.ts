import { z } from 'zod';
import type { Connector, ConnectorContext, ConnectorItem } from '../connector.ts';
import { toUtf8 } from './website-charset.ts';
import { type FetchLimits, type FetchRefusal, fetchPage } from './website-fetch.ts';
import { extractLinks, robotsMeta } from './website-links.ts';
import { ROBOTS_MAX_BYTES, RobotsCache } from './website-robots.ts';
import { canonicalUrl, hostWithPort, onAllowlist } from './website-url.ts';

/** The product token robots.txt groups name; the User-Agent is `AgentOS-Crawler/<version>`. */
export const CRAWLER_PRODUCT_TOKEN = 'AgentOS-Crawler';
export const WEBSITE_PAGE_TIMEOUT_MS = 15_000;
export const WEBSITE_MAX_PAGE_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 5;

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
/** Non-HTML types kept as documents (the sync engine parses them); their links are not followed. */
const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/json',
  'application/xml',
]);
const isDocumentType = (mediaType: string): boolean =>
  mediaType.startsWith('text/') || DOCUMENT_TYPES.has(mediaType);

const hostEntry = z
  .string()
  .toLowerCase()
  .regex(
    /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/,
    '`host`, `host:port` or `*.domain`',
  );
const pathPrefix = z.string().min(1).max(2_000).startsWith('/', 'a path starting with "/"');
const startUrl = z
  .url({ protocol: /^https?$/ })
  .max(2_000)
  .refine((url) => canonicalUrl(url) !== undefined, 'an http(s) URL without credentials');

export const websiteSourceConfigSchema = z
  .strictObject({
    startUrls: z.array(startUrl).min(1).max(100),
    /** Hosts the crawler may fetch from; default: the start URLs' hosts (http and https on default ports). */
    allowHosts: z.array(hostEntry).min(1).max(100).optional(),
    /** Links followed from a start URL: 0 fetches only the start URLs. */
    maxDepth: z.number().int().min(0).max(20).default(3),
    maxPages: z.number().int().min(1).max(10_000).default(200),
    /** Only pages under these path prefixes are followed (start URLs are always fetched). */
    includePaths: z.array(pathPrefix).max(100).optional(),
    /** Pages under these path prefixes are not followed. */
    excludePaths: z.array(pathPrefix).max(100).optional(),
  })
  .superRefine((config, context) => {
    if (config.allowHosts === undefined) return;
    for (const [index, url] of config.startUrls.entries()) {
      if (!onAllowlist(new URL(url), config.allowHosts)) {
        context.addIssue({
          code: 'custom',
          path: ['startUrls', index],
          message: 'its host is not in allowHosts',
        });
      }
    }
  });
export type WebsiteSourceConfig = z.output<typeof websiteSourceConfigSchema>;

export interface WebsiteConnectorDeps {
  /** Agent OS's version, sent in the User-Agent. */
  version: string;
  timeoutMs?: number;
  maxPageBytes?: number;
}

/** The start URLs' hosts; a default port also admits the other scheme's default port (http → https). */
export function defaultAllowHosts(startUrls: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const raw of startUrls) {
    const url = new URL(raw);
    hosts.add(hostWithPort(url));
    if (url.port === '') {
      hosts.add(`${url.hostname}:80`);
      hosts.add(`${url.hostname}:443`);
    }
  }
  return [...hosts];
}

const underAny = (path: string, prefixes: readonly string[]): boolean =>
  prefixes.some((prefix) => path.startsWith(prefix));

interface QueuedPage {
  url: URL;
  depth: number;
}

/**
 * Breadth-first from the start URLs, one page at a time, never outside the allowlist (redirect hops
 * included), never where robots.txt says no. A page's ref is its canonical URL after redirects.
 */
export function websiteConnector(config: WebsiteSourceConfig, deps: WebsiteConnectorDeps): Connector {
  const allowHosts = config.allowHosts ?? defaultAllowHosts(config.startUrls);
  const userAgent = `${CRAWLER_PRODUCT_TOKEN}/${deps.version}`;
  const timeoutMs = deps.timeoutMs ?? WEBSITE_PAGE_TIMEOUT_MS;
  const maxPageBytes = deps.maxPageBytes ?? WEBSITE_MAX_PAGE_BYTES;

  const followable = (url: URL): boolean =>
    onAllowlist(url, allowHosts) &&
    (config.includePaths === undefined || underAny(url.pathname, config.includePaths)) &&
    !underAny(url.pathname, config.excludePaths ?? []);

  return {
    async *list(context: ConnectorContext): AsyncIterable<ConnectorItem> {
      const offAllowlist = (url: URL): FetchRefusal | undefined =>
        onAllowlist(url, allowHosts)
          ? undefined
          : {
              kind: 'refused',
              url,
              code: 'fetch.off_allowlist',
              message: `${url.host} is not an allowed host of this source`,
            };
      const limits = (guard: FetchLimits['guard'], maxBytes: number, overflow: FetchLimits['overflow']) => ({
        userAgent,
        timeoutMs,
        maxBytes,
        maxRedirects: MAX_REDIRECTS,
        overflow,
        guard,
        signal: context.signal,
      });
      const robots = new RobotsCache(
        (robotsUrl) =>
          fetchPage(
            robotsUrl,
            limits(async (hop) => offAllowlist(hop), ROBOTS_MAX_BYTES, 'truncate'),
          ),
        CRAWLER_PRODUCT_TOKEN,
        context.log,
      );
      const pageGuard = async (hop: URL): Promise<FetchRefusal | undefined> => {
        const refusal = offAllowlist(hop);
        if (refusal !== undefined) return refusal;
        if ((await robots.policyFor(hop)).allows(`${hop.pathname}${hop.search}`)) return undefined;
        return {
          kind: 'refused',
          url: hop,
          code: 'robots.disallowed',
          message: `robots.txt of ${hop.host} disallows ${hop.pathname}`,
        };
      };

      const queue: QueuedPage[] = [];
      const seen = new Set<string>();
      for (const raw of config.startUrls) {
        const url = canonicalUrl(raw);
        if (url === undefined || seen.has(url.href)) continue;
        seen.add(url.href);
        queue.push({ url, depth: 0 });
      }
      const done = new Set<string>();
      let emitted = 0;
      while (queue.length > 0 && emitted < config.maxPages) {
        context.signal.throwIfAborted();
        const page = queue.shift()!;
        const outcome = await fetchPage(page.url, limits(pageGuard, maxPageBytes, 'fail'));
        if (outcome.kind === 'refused') {
          const via = outcome.url.href === page.url.href ? '' : ` (redirected to ${outcome.url.href})`;
          emitted++;
          yield {
            kind: 'failure',
            ref: page.url.href,
            location: page.url.href,
            code: outcome.code,
            message: `${outcome.message}${via}`,
          };
          continue;
        }
        const final = canonicalUrl(outcome.url.href) ?? page.url;
        seen.add(final.href);
        if (done.has(final.href)) continue;
        done.add(final.href);
        emitted++;
        const ref = final.href;
        if (outcome.status < 200 || outcome.status >= 300) {
          yield {
            kind: 'failure',
            ref,
            location: ref,
            code: 'fetch.http_status',
            message: `HTTP ${outcome.status}`,
          };
          continue;
        }
        const html = HTML_TYPES.has(outcome.mediaType);
        if (!html && outcome.mediaType !== '' && !isDocumentType(outcome.mediaType)) {
          yield {
            kind: 'failure',
            ref,
            location: ref,
            code: 'fetch.unsupported_type',
            message: `Content type ${outcome.mediaType} is not indexed`,
          };
          continue;
        }
        // Without a content type, the sync engine guesses from the path's extension.
        const mediaType = outcome.mediaType === '' ? final.pathname : outcome.mediaType;
        const content = toUtf8(outcome.body, outcome.mediaType, outcome.charset);
        const text = html ? Buffer.from(content).toString('utf8') : '';
        const meta = html ? robotsMeta(text) : { noindex: false, nofollow: false };
        // A noindex page is left out of the listing, so a page that was indexed before leaves the index.
        if (meta.noindex) context.log(`website: ${ref} asks not to be indexed (meta robots)`);
        else yield { kind: 'document', ref, location: ref, mediaType, content };
        if (!html || meta.nofollow || page.depth >= config.maxDepth) continue;
        for (const link of extractLinks(text, final)) {
          const url = canonicalUrl(link);
          if (url === undefined || seen.has(url.href) || !followable(url)) continue;
          seen.add(url.href);
          queue.push({ url, depth: page.depth + 1 });
        }
      }
      if (queue.length > 0)
        context.log(
          `website: stopped at maxPages (${config.maxPages}); ${queue.length} pages left unvisited`,
        );
    },
  };
}
