import { setMaxListeners } from 'node:events';
// A loopback HTTP server speaking the OpenAI Chat Completions wire protocol (JSON and SSE),
// whose replies are scripted by each test. Drive it through the real OpenAI-compatible
// provider of the AI SDK: createOpenAICompatible({ baseURL: server.url, ... }). Test support only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type ChatCompletionMessageToolCall,
  type ChatCompletionRequestBody,
  type CompletionMeta,
  completionBody,
  errorBody,
  estimateTokens,
  promptChars,
  type ResolvedCompletion,
  streamPayloads,
  truncateWords,
} from './scripted-model-sse.ts';

export type {
  ChatCompletionContentPart,
  ChatCompletionMessage,
  ChatCompletionMessageToolCall,
  ChatCompletionRequestBody,
  ChatCompletionTool,
} from './scripted-model-sse.ts';

export interface ScriptedUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ScriptedToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
  id?: string;
}

export type ScriptedReply =
  | { kind?: 'text'; text: string; delayMs?: number; chunkDelayMs?: number; usage?: ScriptedUsage }
  | {
      kind: 'tool_calls';
      toolCalls: ScriptedToolCall[];
      delayMs?: number;
      chunkDelayMs?: number;
      usage?: ScriptedUsage;
    }
  | { kind: 'error'; status: number; message?: string; retryAfterSeconds?: number; retryAfterMs?: number }
  /** Accept the request and never answer (until close() or the client disconnects). */
  | { kind: 'hang' }
  /** Destroy the socket without answering. */
  | { kind: 'disconnect' };

type CompletionReply = Exclude<ScriptedReply, { kind: 'error' | 'hang' | 'disconnect' }>;

export interface RecordedRequest {
  body: ChatCompletionRequestBody;
  headers: Record<string, string | string[] | undefined>;
  receivedAt: number;
}

export type ScriptedHandler = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedModelServer {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:54321/v1 */
  readonly url: string;
  /** Every well-formed POST /v1/chat/completions, in arrival order. */
  readonly requests: RecordedRequest[];
  /** FIFO queue, consumed one reply per request. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Used when the queue is empty. */
  setHandler(handler: ScriptedHandler | undefined): void;
  /** Every POST /v1/embeddings, as its list of inputs. */
  readonly embeddingRequests: string[][];
  /** How /v1/embeddings turns a text into a vector (default: a hashed bag of lowercase words, 32 dimensions). */
  setEmbedder(embed: ((text: string) => number[]) | undefined): void;
  /** Ends hanging requests, destroys all sockets, resolves when the server is closed. */
  close(): Promise<void>;
}

/** What OpenAI accepts as a function name. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MODEL_ID = 'scripted-1';
/** What GET /v1/models lists by default: the id replies carry and the one tests' agents name. */
const LISTED_MODELS = [MODEL_ID, 'test-model'];

/** A deterministic stand-in for an embedding model: each lowercase word adds 1 to one of 32 dimensions. */
function hashedBagOfWords(text: string): number[] {
  const vector = new Array<number>(32).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let hash = 0;
    for (const char of word) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    vector[hash % 32]! += 1;
  }
  return vector;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function parseRequestBody(raw: string): ChatCompletionRequestBody | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'We could not parse the JSON body of your request.';
  }
  if (!isRecord(parsed)) return 'The request body must be a JSON object.';
  if (typeof parsed.model !== 'string' || parsed.model.length === 0)
    return "Missing required parameter: 'model'.";
  const messages = parsed.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return "Missing required parameter: 'messages' (must be a non-empty array).";
  }
  if (!messages.every((m) => isRecord(m) && typeof m.role === 'string')) {
    return "Invalid 'messages': every message must be an object with a string 'role'.";
  }
  // As OpenAI answers a function name it does not accept (a dotted MCP name, say).
  const tools = Array.isArray(parsed.tools) ? parsed.tools : [];
  for (const [index, tool] of tools.entries()) {
    const name = isRecord(tool) && isRecord(tool.function) ? tool.function.name : undefined;
    if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
      return `Invalid 'tools[${index}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`;
    }
  }
  return parsed as ChatCompletionRequestBody;
}

export async function startScriptedModelServer(
  options: { port?: number; host?: string; models?: readonly string[] } = {},
): Promise<ScriptedModelServer> {
  const host = options.host ?? '127.0.0.1';
  const listed = options.models ?? LISTED_MODELS;
  const queue: ScriptedReply[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const shutdown = new AbortController();
  let handler: ScriptedHandler | undefined;
  let embedder: ((text: string) => number[]) | undefined;
  const embeddingRequests: string[][] = [];
  let completionCount = 0;
  let toolCallCount = 0;
  let closing: Promise<void> | undefined;

  const nextReply = async (request: RecordedRequest): Promise<ScriptedReply | undefined> => {
    const queued = queue.shift();
    if (queued !== undefined) return queued;
    return handler === undefined ? undefined : await handler(request);
  };

  const resolveCompletion = (reply: CompletionReply, body: ChatCompletionRequestBody): ResolvedCompletion => {
    const promptTokens = estimateTokens(promptChars(body.messages));
    const usageOf = (completionChars: number, scripted: ScriptedUsage | undefined) => {
      const prompt = scripted?.promptTokens ?? promptTokens;
      const completion = scripted?.completionTokens ?? estimateTokens(completionChars);
      return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    };
    if (reply.kind === 'tool_calls') {
      const toolCalls: ChatCompletionMessageToolCall[] = reply.toolCalls.map((call) => ({
        id: call.id ?? `call_${++toolCallCount}`,
        type: 'function',
        function: {
          name: call.name,
          arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        },
      }));
      const chars = toolCalls.reduce((sum, call) => sum + call.function.arguments.length, 0);
      return {
        kind: 'tool_calls',
        toolCalls,
        finishReason: 'tool_calls',
        usage: usageOf(chars, reply.usage),
      };
    }
    const limit = body.max_completion_tokens ?? body.max_tokens;
    const cut =
      typeof limit === 'number' ? truncateWords(reply.text, limit) : { text: reply.text, truncated: false };
    return {
      kind: 'text',
      text: cut.text,
      finishReason: cut.truncated ? 'length' : 'stop',
      usage: usageOf(cut.text.length, reply.usage),
    };
  };

  const writeStream = async (
    res: ServerResponse,
    meta: CompletionMeta,
    completion: ResolvedCompletion,
    includeUsage: boolean,
    chunkDelayMs: number,
    signal: AbortSignal,
  ): Promise<void> => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const payloads = streamPayloads(meta, completion, includeUsage);
    for (const [i, payload] of payloads.entries()) {
      if (signal.aborted || res.destroyed) return;
      // Pause between content/argument chunks (not before the role chunk or after the last one).
      if (i > 1 && i < payloads.length - 1) await pause(chunkDelayMs, signal);
      if (signal.aborted || res.destroyed) return;
      res.write(`data: ${payload}\n\n`);
    }
    res.end();
  };

  const answer = async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v1/models') {
      const created = Math.floor(Date.now() / 1000);
      sendJson(res, 200, {
        object: 'list',
        data: listed.map((id) => ({ id, object: 'model', created, owned_by: 'scripted' })),
      });
      return;
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const parsed = JSON.parse(await readBody(req)) as { input: string | string[]; model: string };
      const inputs = typeof parsed.input === 'string' ? [parsed.input] : parsed.input;
      embeddingRequests.push(inputs);
      const embed = embedder ?? hashedBagOfWords;
      sendJson(res, 200, {
        object: 'list',
        model: parsed.model,
        data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: embed(input) })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      });
      return;
    }
    if (path !== '/v1/chat/completions') {
      sendJson(res, 404, errorBody(404, `Unknown route: ${req.method ?? '?'} ${url.pathname}`));
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, errorBody(405, `Method ${req.method ?? '?'} not allowed on ${url.pathname}`));
      return;
    }

    const body = parseRequestBody(await readBody(req));
    if (typeof body === 'string') {
      sendJson(res, 400, errorBody(400, body));
      return;
    }
    const recorded: RecordedRequest = { body, headers: { ...req.headers }, receivedAt: Date.now() };
    requests.push(recorded);
    const index = requests.length;

    let reply: ScriptedReply | undefined;
    try {
      reply = await nextReply(recorded);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      sendJson(
        res,
        500,
        errorBody(500, `Scripted model server: handler threw for request #${index}: ${reason}`),
      );
      return;
    }
    if (reply === undefined) {
      const message =
        `Scripted model server: script ran out — no reply queued and no handler set for request #${index} ` +
        `(${requests.length} request(s) received so far).`;
      sendJson(res, 500, errorBody(500, message, 'script_exhausted'));
      return;
    }

    switch (reply.kind) {
      case 'hang':
        // Never answer; the response is destroyed when the client goes away or on close().
        return;
      case 'disconnect':
        req.socket.destroy();
        return;
      case 'error': {
        const headers: Record<string, string> = {};
        if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
        if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
        const message = reply.message ?? `Scripted error (HTTP ${reply.status})`;
        sendJson(res, reply.status, errorBody(reply.status, message), headers);
        return;
      }
      default: {
        await pause(reply.delayMs ?? 0, signal);
        if (signal.aborted || res.destroyed) return;
        const completion = resolveCompletion(reply, body);
        const meta: CompletionMeta = {
          id: `chatcmpl-scripted-${++completionCount}`,
          created: Math.floor(Date.now() / 1000),
          model: body.model,
        };
        if (body.stream === true) {
          const includeUsage = body.stream_options?.include_usage === true;
          await writeStream(res, meta, completion, includeUsage, reply.chunkDelayMs ?? 0, signal);
        } else {
          sendJson(res, 200, completionBody(meta, completion));
        }
      }
    }
  };

  // Every open request listens for shutdown; there may be hundreds at once.
  setMaxListeners(0, shutdown.signal);
  const server = createServer((req, res) => {
    const aborted = new AbortController();
    const abort = (): void => aborted.abort();
    res.on('close', abort);
    shutdown.signal.addEventListener('abort', abort, { once: true });
    res.on('close', () => shutdown.signal.removeEventListener('abort', abort));
    answer(req, res, aborted.signal).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) sendJson(res, 500, errorBody(500, `Scripted model server failure: ${reason}`));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    requests,
    enqueue(...replies: ScriptedReply[]): void {
      queue.push(...replies);
    },
    setHandler(next: ScriptedHandler | undefined): void {
      handler = next;
    },
    embeddingRequests,
    setEmbedder(next: ((text: string) => number[]) | undefined): void {
      embedder = next;
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
}
