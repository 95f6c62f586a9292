import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { APICallError, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually } from './eventually.ts';
import { type ScriptedModelServer, startScriptedModelServer } from './scripted-model-server.ts';

let server: ScriptedModelServer;

function model() {
  const provider = createOpenAICompatible({
    name: 'scripted',
    baseURL: server.url,
    apiKey: 'test',
    includeUsage: true,
  });
  return provider.chatModel('scripted-1');
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

const addTool = tool({
  description: 'Adds two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  execute: async ({ a, b }) => ({ sum: a + b }),
});

beforeEach(async () => {
  server = await startScriptedModelServer();
});

afterEach(async () => {
  await server.close();
});

describe('scripted model server — text', () => {
  it('serves a non-streamed text completion with scripted usage', async () => {
    server.enqueue({ text: 'Hello from the script.', usage: { promptTokens: 11, completionTokens: 5 } });
    const result = await generateText({ model: model(), prompt: 'Say hello', maxRetries: 0 });
    expect(result.text).toBe('Hello from the script.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBe(11);
    expect(result.usage.outputTokens).toBe(5);
    expect(result.usage.totalTokens).toBe(16);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('estimates usage as ceil(chars / 4) when not scripted', async () => {
    server.enqueue({ text: 'abcdefghi' }); // 9 chars -> 3 tokens
    const result = await generateText({ model: model(), prompt: 'abcdefgh', maxRetries: 0 }); // 8 -> 2
    expect(result.usage.inputTokens).toBe(2);
    expect(result.usage.outputTokens).toBe(3);
    expect(result.usage.totalTokens).toBe(5);
  });

  it('streams text as several deltas whose concatenation is exact', async () => {
    const text = 'The quick brown fox  jumps over\nthe lazy dog. ';
    server.enqueue({ text, chunkDelayMs: 2, usage: { promptTokens: 7, completionTokens: 9 } });
    const result = streamText({ model: model(), prompt: 'Tell me about foxes', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(text);
    expect(await result.finishReason).toBe('stop');
    const usage = await result.totalUsage;
    expect(usage.inputTokens).toBe(7);
    expect(usage.outputTokens).toBe(9);
    expect(usage.totalTokens).toBe(16);
    const body = server.requests[0]?.body;
    expect(body?.stream).toBe(true);
    expect(body?.stream_options).toEqual({ include_usage: true });
  });

  it('cuts text to max_tokens words with finish reason length (both modes)', async () => {
    server.enqueue({ text: 'one two three four five six' }, { text: 'one two three four five six' });
    const generated = await generateText({
      model: model(),
      prompt: 'count',
      maxOutputTokens: 3,
      maxRetries: 0,
    });
    expect(generated.text).toBe('one two three');
    expect(generated.finishReason).toBe('length');
    expect(server.requests[0]?.body.max_tokens).toBe(3);

    const streamed = streamText({ model: model(), prompt: 'count', maxOutputTokens: 4, maxRetries: 0 });
    expect(await streamed.text).toBe('one two three four');
    expect(await streamed.finishReason).toBe('length');
  });
});

describe('scripted model server — tool calls', () => {
  it('runs a tool-call turn followed by a text turn (non-streamed)', async () => {
    server.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
      { text: 'The sum is 5.' },
    );
    const result = await generateText({
      model: model(),
      prompt: 'What is 2 + 3?',
      tools: { add: addTool },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(result.text).toBe('The sum is 5.');
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.finishReason).toBe('tool-calls');
    expect(result.steps[0]?.toolCalls[0]?.toolCallId).toBe('call_1');
    expect(result.steps[0]?.toolResults[0]?.output).toEqual({ sum: 5 });

    expect(server.requests).toHaveLength(2);
    const first = server.requests[0]?.body;
    expect(first?.tools?.map((t) => t.function.name)).toEqual(['add']);
    const messages = server.requests[1]?.body.messages ?? [];
    const assistant = messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.[0]?.id).toBe('call_1');
    expect(assistant?.tool_calls?.[0]?.function.name).toBe('add');
    expect(JSON.parse(assistant?.tool_calls?.[0]?.function.arguments ?? 'null')).toEqual({ a: 2, b: 3 });
    const toolMessage = messages.find((m) => m.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_1');
    expect(JSON.parse(String(toolMessage?.content))).toEqual({ sum: 5 });
  });

  it('runs a streamed tool-call turn followed by a streamed text turn', async () => {
    server.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'add', arguments: '{"a": 40, "b": 2}' }],
        usage: { promptTokens: 10, completionTokens: 4 },
      },
      { text: 'It is 42.', usage: { promptTokens: 20, completionTokens: 3 } },
    );
    const result = streamText({
      model: model(),
      prompt: 'What is 40 + 2?',
      tools: { add: addTool },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    const inputDeltas: string[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'tool-input-delta') inputDeltas.push(part.delta);
      if (part.type === 'error') throw part.error;
    }
    expect(await result.text).toBe('It is 42.');
    const steps = await result.steps;
    expect(steps).toHaveLength(2);
    expect(steps[0]?.toolResults[0]?.output).toEqual({ sum: 42 });
    expect(inputDeltas.length).toBeGreaterThan(1);
    expect(inputDeltas.join('')).toBe('{"a": 40, "b": 2}');
    const total = await result.totalUsage;
    expect(total.inputTokens).toBe(30);
    expect(total.outputTokens).toBe(7);

    const toolMessage = server.requests[1]?.body.messages.find((m) => m.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_1');
    expect(JSON.parse(String(toolMessage?.content))).toEqual({ sum: 42 });
  });

  it('serves parallel tool calls in one turn (streamed, explicit ids)', async () => {
    server.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'add', arguments: { a: 1, b: 2 }, id: 'call_left' },
          { name: 'add', arguments: { a: 10, b: 20 }, id: 'call_right' },
        ],
      },
      { text: '3 and 30.' },
    );
    const executed: Array<{ a: number; b: number }> = [];
    const recordingAdd = tool({
      description: 'Adds two numbers',
      inputSchema: z.object({ a: z.number(), b: z.number() }),
      execute: async (input) => {
        executed.push(input);
        return { sum: input.a + input.b };
      },
    });
    const result = streamText({
      model: model(),
      prompt: 'Compute 1+2 and 10+20',
      tools: { add: recordingAdd },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('3 and 30.');
    const steps = await result.steps;
    expect(steps[0]?.toolCalls.map((c) => c.toolCallId)).toEqual(['call_left', 'call_right']);
    expect(executed).toEqual(
      expect.arrayContaining([
        { a: 1, b: 2 },
        { a: 10, b: 20 },
      ]),
    );
    const toolMessages = server.requests[1]?.body.messages.filter((m) => m.role === 'tool') ?? [];
    expect(toolMessages.map((m) => m.tool_call_id).sort()).toEqual(['call_left', 'call_right']);
    const outputs = toolMessages.map((m) => JSON.parse(String(m.content)));
    expect(outputs).toEqual(expect.arrayContaining([{ sum: 3 }, { sum: 30 }]));
  });

  it('assigns unique default tool-call ids across turns', async () => {
    server.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 1, b: 1 } }] },
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 2, b: 2 } }] },
      { text: 'done' },
    );
    const result = await generateText({
      model: model(),
      prompt: 'twice',
      tools: { add: addTool },
      stopWhen: stepCountIs(5),
      maxRetries: 0,
    });
    expect(result.steps.map((s) => s.toolCalls[0]?.toolCallId)).toEqual(['call_1', 'call_2', undefined]);
  });
});

describe('scripted model server — failures', () => {
  it('surfaces a 429 with Retry-After as an APICallError', async () => {
    server.enqueue({
      kind: 'error',
      status: 429,
      message: 'Rate limit reached',
      retryAfterSeconds: 2,
      retryAfterMs: 1500,
    });
    const error = await caught(generateText({ model: model(), prompt: 'hi', maxRetries: 0 }));
    expect(APICallError.isInstance(error)).toBe(true);
    if (!APICallError.isInstance(error)) return;
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('Rate limit reached');
    expect(error.responseHeaders?.['retry-after']).toBe('2');
    expect(error.responseHeaders?.['retry-after-ms']).toBe('1500');
  });

  it('lets the SDK retry after a 503 honouring retry-after-ms', async () => {
    server.enqueue({ kind: 'error', status: 503, retryAfterMs: 10 }, { text: 'recovered' });
    const result = await generateText({ model: model(), prompt: 'hi', maxRetries: 1 });
    expect(result.text).toBe('recovered');
    expect(server.requests).toHaveLength(2);
  });

  it("gives a connection error on 'disconnect'", async () => {
    server.enqueue({ kind: 'disconnect' });
    const error = await caught(generateText({ model: model(), prompt: 'hi', maxRetries: 0 }));
    expect(error).toBeInstanceOf(Error);
    expect(APICallError.isInstance(error) && error.statusCode).toBeFalsy();
    expect(server.requests).toHaveLength(1);
  });

  it("lets an AbortSignal timeout abort a 'hang'", async () => {
    server.enqueue({ kind: 'hang' });
    const started = Date.now();
    const error = await caught(
      generateText({ model: model(), prompt: 'hi', maxRetries: 0, abortSignal: AbortSignal.timeout(150) }),
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toMatch(/TimeoutError|AbortError/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(1);
  });

  it("close() ends a 'hang' and does not wait for keep-alive sockets", async () => {
    server.enqueue({ kind: 'text', text: 'warm-up' }, { kind: 'hang' });
    await generateText({ model: model(), prompt: 'open a keep-alive connection', maxRetries: 0 });
    const pending = caught(generateText({ model: model(), prompt: 'hang', maxRetries: 0 }));
    await eventually(() => expect(server.requests).toHaveLength(2));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('fails loudly with a 500 when the script runs out', async () => {
    const error = await caught(generateText({ model: model(), prompt: 'hi', maxRetries: 0 }));
    expect(APICallError.isInstance(error)).toBe(true);
    if (!APICallError.isInstance(error)) return;
    expect(error.statusCode).toBe(500);
    expect(error.message).toMatch(/script ran out/);
  });

  it('uses the handler when the queue is empty, and the queue first', async () => {
    server.setHandler((request) => ({ text: `echo: ${String(request.body.messages.at(-1)?.content)}` }));
    server.enqueue({ text: 'queued first' });
    const first = await generateText({ model: model(), prompt: 'one', maxRetries: 0 });
    const second = await generateText({ model: model(), prompt: 'two', maxRetries: 0 });
    expect(first.text).toBe('queued first');
    expect(second.text).toBe('echo: two');
    server.setHandler(undefined);
    const error = await caught(generateText({ model: model(), prompt: 'three', maxRetries: 0 }));
    expect(APICallError.isInstance(error) && error.statusCode).toBe(500);
  });
});

describe('scripted model server — recording and raw protocol', () => {
  it('records request bodies and headers in arrival order', async () => {
    server.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] },
      { text: 'b' },
    );
    const before = Date.now();
    await generateText({
      model: model(),
      system: 'You are terse.',
      prompt: 'first',
      tools: { add: addTool },
      toolChoice: { type: 'tool', toolName: 'add' },
      maxOutputTokens: 50,
      maxRetries: 0,
    });
    await generateText({ model: model(), prompt: 'second', maxRetries: 0 });
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first?.body.model).toBe('scripted-1');
    expect(first?.body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first' },
    ]);
    expect(first?.body.tools?.[0]?.function.name).toBe('add');
    expect(first?.body.tool_choice).toEqual({ type: 'function', function: { name: 'add' } });
    expect(first?.body.max_tokens).toBe(50);
    expect(first?.body.stream).toBeFalsy();
    expect(first?.headers.authorization).toBe('Bearer test');
    expect(first?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(second?.body.messages).toEqual([{ role: 'user', content: 'second' }]);
    expect(second?.receivedAt).toBeGreaterThanOrEqual(first?.receivedAt ?? 0);
  });

  it('rejects malformed JSON and missing messages with 400 invalid_request_error', async () => {
    const post = (body: string) =>
      fetch(`${server.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    for (const body of [
      '{not json',
      JSON.stringify({ model: 'scripted-1' }),
      '{"model":"m","messages":[]}',
    ]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      const payload = (await response.json()) as { error: { type: string; message: string } };
      expect(payload.error.type).toBe('invalid_request_error');
      expect(payload.error.message.length).toBeGreaterThan(0);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('speaks raw SSE with a final usage chunk and [DONE]', async () => {
    server.enqueue({ text: 'alpha beta gamma', usage: { promptTokens: 3, completionTokens: 4 } });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'scripted-1',
        messages: [{ role: 'user', content: 'go' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await response.text())
      .split('\n\n')
      .filter((e) => e.length > 0)
      .map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e) as {
          object: string;
          choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
          usage: unknown;
        },
    );
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('alpha beta gamma');
  });

  it('lists the scripted-1 and test-model models on GET /v1/models', async () => {
    const response = await fetch(`${server.url}/models`);
    expect(response.status).toBe(200);
    const payload = (await response.json()) as { object: string; data: Array<{ id: string }> };
    expect(payload.object).toBe('list');
    expect(payload.data.map((m) => m.id)).toEqual(['scripted-1', 'test-model']);
  });
});
