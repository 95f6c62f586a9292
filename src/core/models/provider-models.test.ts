import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelAvailabilityProblem } from './model-availability.ts';
import { ProviderModels } from './provider-models.ts';

describe('ProviderModels', () => {
  let server: Server;
  let base: string;
  let asked = 0;
  let answer: () => unknown = () => ({ data: [{ id: 'm1' }, { id: 'm2' }] });

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow/models') return; // never answers: the caller's timeout ends it
      asked += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it('caches a good answer for cacheMs, then asks again', async () => {
    let clock = 0;
    const lister = new ProviderModels(
      { compatible: [{ name: 'fast', baseURL: `${base}/v1` }] },
      { cacheMs: 1_000, now: () => clock },
    );
    const first = asked;
    expect((await lister.report()).models.map((m) => m.name)).toEqual(['fast:m1', 'fast:m2']);
    clock = 999;
    await lister.report();
    expect(asked - first).toBe(1);
    clock = 1_000;
    await lister.report();
    expect(asked - first).toBe(2);
  });

  it('counts a server that does not answer in time, or answers something else, as unreachable', async () => {
    answer = () => ({ models: 'not a list' });
    const lister = new ProviderModels(
      {
        compatible: [
          { name: 'slow', baseURL: `${base}/slow` },
          { name: 'odd', baseURL: `${base}/v1` },
        ],
      },
      { timeoutMs: 200 },
    );
    const report = await lister.report();
    answer = () => ({ data: [{ id: 'm1' }, { id: 'm2' }] });
    expect(report.providers.map((p) => [p.name, p.status, p.message])).toEqual([
      ['openai', 'not_configured', expect.stringContaining('OPENAI_API_KEY')],
      ['anthropic', 'not_configured', expect.stringContaining('ANTHROPIC_API_KEY')],
      ['slow', 'unreachable', `GET ${base}/slow/models did not answer within 200 ms`],
      ['odd', 'unreachable', expect.stringContaining('did not answer an OpenAI model list')],
    ]);
    // Unreachable: its names cannot be checked, so they are accepted.
    expect(modelAvailabilityProblem(report, 'slow:anything')).toBeUndefined();
  });

  it('says which model or provider is missing and what exists', async () => {
    const report = await new ProviderModels({
      openai: { apiKey: 'k' },
      compatible: [{ name: 'fast', baseURL: `${base}/v1` }],
    }).report();
    expect(modelAvailabilityProblem(report, 'fast:m2')).toBeUndefined();
    expect(modelAvailabilityProblem(report, 'openai:gpt-4o-mini-2024-07-18')).toBeUndefined();
    const codes = ['nosuch:x', 'anthropic:claude-sonnet-4-5', 'openai:gpt-9', 'fast:m3'].map((name) => {
      const problem = modelAvailabilityProblem(report, name);
      return [problem?.code, problem?.message];
    });
    expect(codes).toEqual([
      ['model.unknown_provider', expect.stringContaining('configured providers: openai, fast')],
      ['model.provider_not_configured', expect.stringContaining('ANTHROPIC_API_KEY')],
      ['model.unknown_model', expect.stringMatching(/not in the openai catalogue; known: openai:gpt-4o, /)],
      ['model.unknown_model', expect.stringContaining('known: fast:m1, fast:m2.')],
    ]);
  });
});
