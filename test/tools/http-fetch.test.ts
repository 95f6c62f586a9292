import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpFetchOutput, hostAllowed, httpFetchTool } from '../../src/core/tools/builtin/http-fetch.ts';
import type { ToolCallContext } from '../../src/core/tools/tool.ts';
import { type LoopbackSite, startLoopbackSite } from '../mcp/mcp-harness.ts';

const context = (workspaceId: string): ToolCallContext => ({
  runId: 'run_1',
  workspaceId,
  agentId: 'agt_1',
  userId: null,
  idempotencyKey: 'run_1:0:0',
  signal: new AbortController().signal,
});

describe('http_fetch', () => {
  let site: LoopbackSite;
  beforeAll(async () => {
    site = await startLoopbackSite();
  });
  afterAll(async () => {
    await site.close();
  });

  const fetchAs = (workspaceId: string, url: string, options: { timeoutMs?: number } = {}) =>
    httpFetchTool({ allowHosts: { ws_a: [site.host] }, ...options }).execute(
      { url },
      context(workspaceId),
    ) as Promise<HttpFetchOutput>;

  it('matches hosts, ports and subdomain wildcards', () => {
    const allow = ['api.example.com', '127.0.0.1:8080', '*.corp.example'];
    expect(hostAllowed(new URL('https://api.example.com/x'), allow)).toBe(true);
    expect(hostAllowed(new URL('https://evil-api.example.com/x'), allow)).toBe(false);
    expect(hostAllowed(new URL('http://127.0.0.1:8080/'), allow)).toBe(true);
    expect(hostAllowed(new URL('http://127.0.0.1:8081/'), allow)).toBe(false);
    expect(hostAllowed(new URL('http://db.corp.example/'), allow)).toBe(true);
    expect(hostAllowed(new URL('http://corp.example.evil/'), allow)).toBe(false);
  });

  it('fetches from an allowed host and marks the body untrusted', async () => {
    expect(await fetchAs('ws_a', `${site.url}/hello`)).toEqual({
      untrusted: true,
      url: `${site.url}/hello`,
      status: 200,
      contentType: 'text/plain',
      body: 'hello from loopback',
      truncated: false,
    });
  });

  it("refuses hosts off the workspace's allowlist, also after a redirect", async () => {
    await expect(fetchAs('ws_b', `${site.url}/hello`)).rejects.toThrow(
      /not on this workspace's egress allowlist/,
    );
    await expect(fetchAs('ws_a', `${site.url}/away`)).rejects.toThrow(/"not-allowed.invalid"/);
  });

  it('cuts bodies at 1 MB and gives up after its time limit', async () => {
    const big = await fetchAs('ws_a', `${site.url}/big`);
    expect(big.truncated).toBe(true);
    expect(big.body).toHaveLength(1024 * 1024);
    await expect(fetchAs('ws_a', `${site.url}/hang`, { timeoutMs: 300 })).rejects.toThrow(/within 300 ms/);
  });
});
