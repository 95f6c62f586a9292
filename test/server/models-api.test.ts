import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { addMember } from '../support/members.ts';
import { testConfig } from '../support/test-config.ts';
import { storeTargets } from '../support/test-stores.ts';

const SECRET = 'sk-test-never-shown-4f1c';

describe.each(storeTargets())('model providers through the API on $kind', (target) => {
  let agentOs: AgentOsProcess;
  let userKey: string;

  beforeAll(async () => {
    agentOs = await startAgentOs(
      testConfig({
        providers: {
          openai: { apiKey: SECRET },
          compatible: [{ name: 'local', baseURL: 'http://127.0.0.1:11434/v1' }],
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
  afterAll(async () => agentOs.stop());

  it('lists the configured providers and the catalogue models they serve, never a credential', async () => {
    const response = await fetch(`${agentOs.http!.url}/api/models`, {
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    const body = JSON.parse(text) as {
      providers: { name: string; kind: string; baseURL?: string }[];
      models: { name: string; contextWindow: number; inputUsdPerMillion: number }[];
      pricesAsOf: string;
    };
    expect(body.providers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'openai', kind: 'openai' }),
        { name: 'local', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' },
      ]),
    );
    expect(body.models).toContainEqual(
      expect.objectContaining({
        name: 'openai:gpt-4o-mini',
        contextWindow: 128_000,
        inputUsdPerMillion: 0.15,
      }),
    );
    // No Anthropic key configured: none of its models are offered.
    expect(body.models.some((model) => model.name.startsWith('anthropic:'))).toBe(false);
    const anonymous = await fetch(`${agentOs.http!.url}/api/models`);
    expect(anonymous.status).toBe(401);
  });
});
