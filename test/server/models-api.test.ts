import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { addMember } from '../support/members.ts';
import { closedPortUrl, type ModelListServer, startModelListServer } from '../support/model-list-server.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

const SECRET = 'sk-test-never-shown-4f1c';
const UP_SECRET = 'sk-up-only-for-its-own-server-77a2';

interface ModelsBody {
  providers: {
    name: string;
    kind: string;
    baseURL?: string;
    status: string;
    message?: string;
    modelSource: string;
  }[];
  models: { name: string; provider: string; contextWindow: number; inputUsdPerMillion: number | null }[];
  pricesAsOf: string;
}

describe.each(storeTargets())('model providers through the API on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let userKey: string;
  let up: ModelListServer;
  let downUrl: string;
  const models = () =>
    fetch(`${agentOs.http!.url}/api/models`, { headers: { authorization: `Bearer ${userKey}` } });

  beforeAll(async () => {
    up = await startModelListServer(['llama3.1:8b', 'qwen2.5-coder']);
    downUrl = await closedPortUrl();
    agentOs = await startAgentOs(
      testConfig({
        providers: {
          openai: { apiKey: SECRET },
          compatible: [
            { name: 'up', baseURL: up.url, apiKey: UP_SECRET },
            { name: 'down', baseURL: downUrl },
          ],
        },
      }),
      { roles: ['api'], store: await target.open(), log: () => {} },
    );
    if (!agentOs.firstStart.created) throw new Error('expected a first start');
    userKey = (
      await addMember(agentOs.store, agentOs.firstStart.workspaceId, {
        email: 'u@example.com',
        name: 'U',
        role: 'user',
      })
    ).key;
  });
  afterAll(async () => {
    await agentOs.stop();
    await up.close();
  });

  it('lists catalogue models, asks compatible servers for theirs, flags the unconfigured and the unreachable', async () => {
    const response = await models();
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(UP_SECRET);
    const body = JSON.parse(text) as ModelsBody;
    expect(body.providers).toEqual([
      { name: 'openai', kind: 'openai', status: 'ok', modelSource: 'catalogue' },
      {
        name: 'anthropic',
        kind: 'anthropic',
        status: 'not_configured',
        message: expect.stringContaining('ANTHROPIC_API_KEY'),
        modelSource: 'none',
      },
      { name: 'up', kind: 'openai-compatible', baseURL: up.url, status: 'ok', modelSource: 'provider' },
      {
        name: 'down',
        kind: 'openai-compatible',
        baseURL: downUrl,
        status: 'unreachable',
        message: expect.stringContaining(`GET ${downUrl}/models failed`),
        modelSource: 'none',
      },
    ]);
    expect(body.models).toContainEqual(
      expect.objectContaining({
        name: 'openai:gpt-4o-mini',
        contextWindow: 128_000,
        inputUsdPerMillion: 0.15,
      }),
    );
    // What the compatible server listed, with default limits and no price.
    expect(body.models.filter((model) => model.provider === 'up')).toEqual([
      expect.objectContaining({ name: 'up:llama3.1:8b', contextWindow: 8192, inputUsdPerMillion: null }),
      expect.objectContaining({ name: 'up:qwen2.5-coder', inputUsdPerMillion: null }),
    ]);
    expect(body.models.some((model) => model.provider === 'anthropic' || model.provider === 'down')).toBe(
      false,
    );
    // The compatible server's key went to that server, and nowhere else was asked with it.
    expect(up.asked).toEqual([`Bearer ${UP_SECRET}`]);
    const anonymous = await fetch(`${agentOs.http!.url}/api/models`);
    expect(anonymous.status).toBe(401);
  });

  it('reuses a good answer instead of asking the server again at once', async () => {
    const before = up.asked.length;
    expect((await models()).status).toBe(200);
    expect((await models()).status).toBe(200);
    expect(up.asked.length).toBe(before);
  });
});
