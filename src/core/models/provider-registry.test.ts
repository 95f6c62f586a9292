import { generateText } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../../test/support/scripted-model-server.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { createModelRegistry } from './provider-registry.ts';

let server: ScriptedModelServer;

beforeEach(async () => {
  server = await startScriptedModelServer();
});

afterEach(async () => {
  await server.close();
});

function thrown(fn: () => unknown): AgentOsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AgentOsError) return error;
    throw error;
  }
  throw new Error('expected a throw');
}

describe('createModelRegistry', () => {
  it('builds an OpenAI-compatible model from config that talks to the server', async () => {
    const registry = createModelRegistry({
      compatible: [{ name: 'local', baseURL: server.url, apiKey: 'sk-local' }],
    });
    server.enqueue({ text: 'Hello from llama.', usage: { promptTokens: 4, completionTokens: 3 } });
    const result = await generateText({
      model: registry.languageModel('local:llama3.1:8b'),
      prompt: 'Say hello',
      maxRetries: 0,
    });
    expect(result.text).toBe('Hello from llama.');
    expect(result.usage.inputTokens).toBe(4);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.model).toBe('llama3.1:8b');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-local');
  });

  it('speaks Chat Completions for openai (so an OpenAI baseURL may point at a compatible server)', async () => {
    const registry = createModelRegistry({
      openai: { apiKey: 'sk-openai', baseURL: server.url },
      compatible: [],
    });
    server.enqueue({ text: 'chat completions it is' });
    const result = await generateText({
      model: registry.languageModel('openai:gpt-4o-mini'),
      prompt: 'hi',
      maxRetries: 0,
    });
    expect(result.text).toBe('chat completions it is');
    expect(server.requests[0]?.body.model).toBe('gpt-4o-mini');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-openai');
  });

  it('builds anthropic models without calling the network', () => {
    const registry = createModelRegistry({ anthropic: { apiKey: 'sk-ant' }, compatible: [] });
    const model = registry.languageModel('anthropic:claude-sonnet-4-5');
    expect(typeof model).toBe('object');
    expect(model.modelId).toBe('claude-sonnet-4-5');
    expect(model.provider).toMatch(/^anthropic/);
  });

  it('caches model instances per name', () => {
    const registry = createModelRegistry({
      openai: { apiKey: 'sk' },
      compatible: [{ name: 'local', baseURL: server.url }],
    });
    const first = registry.languageModel('local:llama3.1:8b');
    expect(registry.languageModel('local:llama3.1:8b')).toBe(first);
    expect(registry.languageModel('local:qwen2.5:7b')).not.toBe(first);
    expect(registry.languageModel('openai:gpt-4o')).toBe(registry.languageModel('openai:gpt-4o'));
  });

  it('lists configured providers without credentials', () => {
    const registry = createModelRegistry({
      openai: { apiKey: 'sk-secret' },
      anthropic: { apiKey: 'sk-ant-secret', baseURL: 'https://proxy.example/v1' },
      compatible: [
        { name: 'local', baseURL: 'http://127.0.0.1:11434/v1' },
        { name: 'vllm', baseURL: 'http://gpu-box:8000/v1', apiKey: 'sk-vllm' },
      ],
    });
    const listed = registry.configuredProviders();
    expect(listed).toEqual([
      { name: 'openai', kind: 'openai' },
      { name: 'anthropic', kind: 'anthropic', baseURL: 'https://proxy.example/v1' },
      { name: 'local', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' },
      { name: 'vllm', kind: 'openai-compatible', baseURL: 'http://gpu-box:8000/v1' },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/secret|sk-/);
  });

  it('rejects an unknown provider, listing the configured ones and how to configure more', () => {
    const registry = createModelRegistry({
      openai: { apiKey: 'sk' },
      compatible: [{ name: 'local', baseURL: server.url }],
    });
    const error = thrown(() => registry.languageModel('anthropic:claude-sonnet-4-5'));
    expect(error.code).toBe('model.unknown_provider');
    expect(error.message).toContain('"anthropic"');
    expect(error.message).toContain('Configured providers: openai, local.');
    expect(error.message).toMatch(/ANTHROPIC_API_KEY/);
    expect(error.message).toMatch(/OPENAI_API_KEY/);
    expect(error.message).toMatch(/AGENTOS_COMPATIBLE_BASE_URL/);
    expect(error.message).toMatch(/agentos\.config\.json/);
    expect(error.details).toEqual({
      provider: 'anthropic',
      name: 'anthropic:claude-sonnet-4-5',
      configured: ['openai', 'local'],
    });
  });

  it('says so when nothing is configured', () => {
    const error = thrown(() => createModelRegistry({ compatible: [] }).languageModel('openai:gpt-4o'));
    expect(error.code).toBe('model.unknown_provider');
    expect(error.message).toMatch(/No model providers are configured/);
  });

  it('rejects invalid names with model.invalid_name', () => {
    const registry = createModelRegistry({ compatible: [{ name: 'local', baseURL: server.url }] });
    expect(thrown(() => registry.languageModel('llama3')).code).toBe('model.invalid_name');
  });
});
