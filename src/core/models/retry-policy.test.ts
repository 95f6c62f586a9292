import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../../test/support/scripted-model-server.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { ProviderFault } from './provider-fault.ts';
import {
  backoffDelayMs,
  type ProviderRetryOptions,
  type RetryInfo,
  withProviderRetries,
} from './retry-policy.ts';

describe('backoffDelayMs', () => {
  const policy = { baseDelayMs: 100, factor: 2, maxDelayMs: 1000 };

  it('grows exponentially up to the cap (random → 1 gives the ceiling)', () => {
    const top = { ...policy, random: () => 0.999_999 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, {}, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
  });

  it('uses full jitter between 0 and the ceiling', () => {
    expect(backoffDelayMs(3, {}, { ...policy, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, {}, { ...policy, random: () => 0.5 })).toBe(200);
    const values = Array.from({ length: 200 }, () =>
      backoffDelayMs(2, {}, { ...policy, random: Math.random }),
    );
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(200);
    expect(new Set(values).size).toBeGreaterThan(10);
  });

  it('waits at least retryAfterMs', () => {
    expect(backoffDelayMs(1, { retryAfterMs: 300 }, { ...policy, random: () => 0 })).toBe(300);
    expect(backoffDelayMs(4, { retryAfterMs: 300 }, { ...policy, random: () => 0.999_999 })).toBe(799);
  });

  it('defaults to base 250 ms, factor 2, cap 30 s', () => {
    const top = { random: () => 0.999_999 };
    expect(backoffDelayMs(1, {}, top)).toBe(249);
    expect(backoffDelayMs(2, {}, top)).toBe(499);
    expect(backoffDelayMs(20, {}, top)).toBe(29_999);
  });
});

let server: ScriptedModelServer;

beforeEach(async () => {
  server = await startScriptedModelServer();
});

afterEach(async () => {
  await server.close();
});

function model() {
  return createOpenAICompatible({
    name: 'scripted',
    baseURL: server.url,
    apiKey: 'test',
    includeUsage: true,
  }).chatModel('scripted-1');
}

interface Run {
  retries: RetryInfo[];
  options: ProviderRetryOptions;
}

/** Fast options: 5 ms base delay, and every retry recorded. */
function run(overrides: ProviderRetryOptions = {}): Run {
  const retries: RetryInfo[] = [];
  return {
    retries,
    options: { backoff: { baseDelayMs: 5 }, onRetry: (info) => retries.push(info), ...overrides },
  };
}

function ask(options: ProviderRetryOptions): Promise<string> {
  return withProviderRetries(
    async (abortSignal) =>
      (await generateText({ model: model(), prompt: 'hi', maxRetries: 0, abortSignal })).text,
    options,
  );
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function faultOf(error: unknown): { fault: ProviderFault; attempts: number } {
  expect(error).toBeInstanceOf(AgentOsError);
  const agentError = error as AgentOsError;
  expect(agentError.code).toBe('model.provider_error');
  return agentError.details as { fault: ProviderFault; attempts: number };
}

describe('withProviderRetries against the scripted server', () => {
  it('waits at least retry-after-ms on 429, then succeeds', async () => {
    server.enqueue({ kind: 'error', status: 429, retryAfterMs: 300 }, { text: 'finally' });
    const { retries, options } = run();
    const started = Date.now();
    expect(await ask(options)).toBe('finally');
    expect(server.requests).toHaveLength(2);
    const gap = (server.requests[1]?.receivedAt ?? 0) - (server.requests[0]?.receivedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.fault).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 300 });
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(300);
  });

  it('retries 503 twice, then succeeds', async () => {
    server.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 503 }, { text: 'up again' });
    const { retries, options } = run();
    expect(await ask(options)).toBe('up again');
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => [r.attempt, r.fault.kind, r.fault.status])).toEqual([
      [1, 'server', 503],
      [2, 'server', 503],
    ]);
  });

  it('gives up after maxRetries with model.provider_error and attempts = maxRetries + 1', async () => {
    server.setHandler(() => ({ kind: 'error', status: 500, message: 'boom' }));
    const { retries, options } = run({ maxRetries: 3 });
    const error = await rejection(ask(options));
    const details = faultOf(error);
    expect(details.attempts).toBe(4);
    expect(details.fault).toMatchObject({ kind: 'server', status: 500, retryable: true });
    expect(server.requests).toHaveLength(4);
    expect(retries).toHaveLength(3);
    expect((error as AgentOsError).message).toMatch(
      /server error, HTTP 500\) after 4 attempts, retries exhausted: boom/,
    );
  });

  it('times out a hanging attempt and retries it', async () => {
    server.enqueue({ kind: 'hang' }, { text: 'woke up' });
    const { retries, options } = run({ timeoutMs: 200 });
    const started = Date.now();
    expect(await ask(options)).toBe('woke up');
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(server.requests).toHaveLength(2);
    expect(retries[0]?.fault).toMatchObject({ kind: 'timeout', retryable: true });
    expect(retries[0]?.fault.message).toMatch(/timed out after 200 ms/);
  });

  it('reports a timeout fault when every attempt hangs', async () => {
    server.setHandler(() => ({ kind: 'hang' }));
    const error = await rejection(ask(run({ timeoutMs: 100, maxRetries: 1 }).options));
    expect(faultOf(error)).toMatchObject({ attempts: 2, fault: { kind: 'timeout' } });
    expect(server.requests).toHaveLength(2);
  });

  it('classifies a dropped connection as a connection fault and retries it', async () => {
    server.enqueue({ kind: 'disconnect' }, { text: 'reconnected' });
    const { retries, options } = run();
    expect(await ask(options)).toBe('reconnected');
    expect(server.requests).toHaveLength(2);
    expect(retries[0]?.fault).toMatchObject({ kind: 'connection', retryable: true });
    expect(retries[0]?.fault).not.toHaveProperty('status');
  });

  it('does not retry a 400', async () => {
    server.enqueue({ kind: 'error', status: 400, message: 'bad tool schema' }, { text: 'never served' });
    const { retries, options } = run();
    const error = await rejection(ask(options));
    expect(faultOf(error)).toMatchObject({
      attempts: 1,
      fault: { kind: 'client', status: 400, retryable: false },
    });
    expect((error as AgentOsError).message).toMatch(
      /request rejected, HTTP 400\) after 1 attempt, not retryable/,
    );
    expect(server.requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('stops at once when the caller aborts during an attempt, rethrowing the caller reason', async () => {
    server.setHandler(() => ({ kind: 'hang' }));
    const caller = new AbortController();
    const reason = new Error('run cancelled by user');
    setTimeout(() => caller.abort(reason), 50);
    const { retries, options } = run({ signal: caller.signal, timeoutMs: 10_000 });
    const started = Date.now();
    const error = await rejection(ask(options));
    expect(error).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
    expect(retries).toHaveLength(0);
  });

  it('stops at once when the caller aborts during a backoff wait', async () => {
    server.setHandler(() => ({ kind: 'error', status: 503 }));
    const caller = new AbortController();
    const { retries, options } = run({
      signal: caller.signal,
      backoff: { baseDelayMs: 10_000, random: () => 0.999 },
      onRetry: (info) => {
        retries.push(info);
        setTimeout(() => caller.abort(), 20);
      },
    });
    const started = Date.now();
    const error = await rejection(ask(options));
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
    expect(retries).toHaveLength(1);
  });

  it('does not call at all when the caller signal is already aborted', async () => {
    const reason = new Error('already gone');
    const error = await rejection(ask(run({ signal: AbortSignal.abort(reason) }).options));
    expect(error).toBe(reason);
    expect(server.requests).toHaveLength(0);
  });

  it('does not retry when the provider asks to wait longer than maxRetryAfterMs', async () => {
    server.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 3600 });
    const error = await rejection(ask(run({ maxRetryAfterMs: 60_000 }).options));
    expect(faultOf(error)).toMatchObject({
      attempts: 1,
      fault: { kind: 'rate_limited', retryAfterMs: 3_600_000 },
    });
    expect((error as AgentOsError).message).toMatch(
      /asked to wait 3600000 ms, more than the 60000 ms allowed/,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('withProviderRetries without a server', () => {
  it('times out a call that ignores its signal', async () => {
    const error = await rejection(
      withProviderRetries(() => new Promise<never>(() => {}), { timeoutMs: 20, maxRetries: 0 }),
    );
    expect(faultOf(error)).toMatchObject({ attempts: 1, fault: { kind: 'timeout' } });
  });

  it('uses the injected sleep with the computed delays', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withProviderRetries(
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        return 'ok';
      },
      { backoff: { baseDelayMs: 100, random: () => 0.5 }, sleep: async (ms) => void slept.push(ms) },
    );
    expect(result).toBe('ok');
    expect(slept).toEqual([50, 100]);
  });
});
