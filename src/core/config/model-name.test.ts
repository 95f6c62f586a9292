import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { formatModelName, modelNameSchema, parseModelName } from './model-name.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseModelName', () => {
  it('splits provider and model', () => {
    expect(parseModelName('openai:gpt-4o-mini')).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(parseModelName('anthropic:claude-sonnet-4-5')).toEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
    });
  });

  it('splits at the first colon only, so model ids may contain colons', () => {
    expect(parseModelName('local:llama3.1:8b')).toEqual({ provider: 'local', model: 'llama3.1:8b' });
    expect(parseModelName('my-ollama:qwen2.5:7b:q4')).toEqual({
      provider: 'my-ollama',
      model: 'qwen2.5:7b:q4',
    });
  });

  it('round-trips through formatModelName', () => {
    expect(formatModelName(parseModelName('local:llama3.1:8b'))).toBe('local:llama3.1:8b');
  });

  it.each([
    ['', /required/],
    ['gpt-4o', /no provider/],
    [':gpt-4o', /empty provider/],
    ['openai:', /empty model id/],
    ['OpenAI:gpt-4o', /invalid provider "OpenAI"/],
    ['1ab:model', /invalid provider/],
    ['openai: gpt-4o', /whitespace/],
  ])('rejects %j with model.invalid_name', (name, message) => {
    const error = thrown(() => parseModelName(name));
    expect(error).toBeInstanceOf(AgentOsError);
    expect((error as AgentOsError).code).toBe('model.invalid_name');
    expect((error as AgentOsError).message).toMatch(message);
    expect((error as AgentOsError).details).toEqual({ name });
  });
});

describe('modelNameSchema', () => {
  it('accepts valid names and keeps them as strings', () => {
    expect(modelNameSchema.parse('local:llama3.1:8b')).toBe('local:llama3.1:8b');
  });

  it('rejects invalid names with the human message, inside a bigger schema', () => {
    const agent = z.object({ model: modelNameSchema });
    const result = agent.safeParse({ model: 'gpt-4o' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['model']);
    expect(result.error?.issues[0]?.message).toMatch(/has no provider: write it as <provider>:<model>/);
    expect(agent.safeParse({ model: 42 }).success).toBe(false);
  });
});
