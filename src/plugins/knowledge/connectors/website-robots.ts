import { ALLOW_ALL, DISALLOW_ALL, parseRobotsTxt, type RobotsPolicy } from './robots-txt.ts';
import type { FetchOutcome } from './website-fetch.ts';
import { originOf } from './website-url.ts';

/** RFC 9309: crawlers parse at least the first 500 KiB; the rest is ignored. */
export const ROBOTS_MAX_BYTES = 500 * 1024;

/**
 * robots.txt per origin, fetched once per sync: a 2xx is parsed; a 4xx (or a redirect the crawler may
 * not follow) means no robots.txt, so all is allowed; a 5xx or a network failure means the host is
 * unreachable, so nothing on it is fetched during this sync.
 */
export class RobotsCache {
  readonly #byOrigin = new Map<string, Promise<RobotsPolicy>>();
  readonly #fetchRobots: (robotsUrl: URL) => Promise<FetchOutcome>;
  readonly #productToken: string;
  readonly #log: (message: string) => void;

  constructor(
    fetchRobots: (robotsUrl: URL) => Promise<FetchOutcome>,
    productToken: string,
    log: (message: string) => void,
  ) {
    this.#fetchRobots = fetchRobots;
    this.#productToken = productToken;
    this.#log = log;
  }

  policyFor(url: URL): Promise<RobotsPolicy> {
    const origin = originOf(url);
    let policy = this.#byOrigin.get(origin);
    if (policy === undefined) {
      policy = this.#load(new URL('/robots.txt', url));
      this.#byOrigin.set(origin, policy);
    }
    return policy;
  }

  async #load(robotsUrl: URL): Promise<RobotsPolicy> {
    const outcome = await this.#fetchRobots(robotsUrl);
    if (outcome.kind === 'refused') {
      if (outcome.code === 'fetch.timeout' || outcome.code === 'fetch.network') {
        this.#log(`robots.txt of ${robotsUrl.host} unreachable (${outcome.message}): not crawling that host`);
        return DISALLOW_ALL;
      }
      return ALLOW_ALL;
    }
    // 429 (too many requests) is the server saying "not now", like a 5xx.
    if (outcome.status >= 500 || outcome.status === 429) {
      this.#log(`robots.txt of ${robotsUrl.host} answered ${outcome.status}: not crawling that host`);
      return DISALLOW_ALL;
    }
    if (outcome.status < 200 || outcome.status >= 300) return ALLOW_ALL;
    return parseRobotsTxt(Buffer.from(outcome.body).toString('utf8'), this.#productToken);
  }
}
