import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type AgentOsClient, createAgentOsClient } from '../client/agent-os-client.ts';
import type { AgentOsConfig } from '../config/config-schema.ts';
import { AgentOsError, type ErrorCode } from '../errors/agent-os-error.ts';
import { ADMIN_KEY_FILE } from '../identity/first-start.ts';

export interface ApiClientOptions {
  url?: string;
  apiKey?: string;
}

/** One server-sent event as it came over the wire. */
export interface StreamEvent {
  id?: string;
  event?: string;
  data: string;
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** A client for a running Agent OS; every path is relative to the API root (`/agents` → `<url>/api/agents`). */
export class ApiClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #keyHint: string;

  /** The typed client (src/client): same server, key and errors as the methods below. */
  readonly typed: AgentOsClient;

  constructor(baseUrl: string, apiKey: string | undefined, keyHint: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#apiKey = apiKey;
    this.#keyHint = keyHint;
    this.typed = createAgentOsClient({
      baseUrl: this.baseUrl,
      apiKey,
      fetch: (request) => fetch(request).catch((error: unknown) => Promise.reject(this.#unreachable(error))),
      toError: (response) => this.#errorFrom(response),
    });
  }

  get<T>(path: string): Promise<T> {
    return this.#json<T>('GET', path, undefined);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.#json<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.#json<T>('PUT', path, body);
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.#json<T>('PATCH', path, body);
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.#json<T>('DELETE', path, body);
  }

  /** Reads a text/event-stream response, calling `onEvent` per event; resolves when the stream ends or `signal` aborts. */
  async stream(path: string, onEvent: (event: StreamEvent) => void, signal?: AbortSignal): Promise<void> {
    const response = await this.#fetch('GET', path, undefined, { accept: 'text/event-stream' }, signal);
    if (!response.ok) throw await this.#errorFrom(response);
    if (response.body === null) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new EventStreamParser(onEvent);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      parser.end();
    } catch (error) {
      if (signal?.aborted) return;
      throw new AgentOsError('internal', `The event stream from ${this.baseUrl} broke: ${messageOf(error)}`);
    } finally {
      reader.releaseLock();
    }
  }

  async #json<T>(method: string, path: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.#fetch(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      headers,
    );
    if (!response.ok) throw await this.#errorFrom(response);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AgentOsError(
        'internal',
        `${method} ${path} answered ${response.status} with a body that is not JSON`,
      );
    }
  }

  async #fetch(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = `${this.baseUrl}/api${path.startsWith('/') ? path : `/${path}`}`;
    const all =
      this.#apiKey === undefined ? headers : { ...headers, authorization: `Bearer ${this.#apiKey}` };
    try {
      return await fetch(url, {
        method,
        headers: all,
        ...(body === undefined ? {} : { body }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw this.#unreachable(error);
    }
  }

  #unreachable(error: unknown): AgentOsError {
    return new AgentOsError(
      'internal',
      `Cannot reach Agent OS at ${this.baseUrl}: ${messageOf(error)} (is \`agentos serve\` running?)`,
      undefined,
      { cause: error },
    );
  }

  async #errorFrom(response: Response): Promise<AgentOsError> {
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = errorBody.safeParse(parsed);
    if (!result.success) {
      return new AgentOsError('internal', `Agent OS at ${this.baseUrl} answered HTTP ${response.status}`);
    }
    const { code, message, details } = result.data.error;
    const hint = code === 'auth.missing' && this.#apiKey === undefined ? ` (${this.#keyHint})` : '';
    // The server speaks the same error codes; a newer server's unknown code still carries its message.
    return new AgentOsError(code as ErrorCode, `${message}${hint}`, details);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error && cause.message !== '') return cause.message;
    return error.message;
  }
  return String(error);
}

/** Incremental text/event-stream parsing: `id:`, `event:`, `data:` fields; a blank line ends an event. */
class EventStreamParser {
  #buffer = '';
  #id: string | undefined;
  #event: string | undefined;
  #data: string[] = [];
  readonly #onEvent: (event: StreamEvent) => void;

  constructor(onEvent: (event: StreamEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const end = this.#buffer.search(/\r\n|\r|\n/);
      if (end === -1) return;
      // A lone \r at the very end may be the first half of \r\n: wait for more.
      if (this.#buffer[end] === '\r' && end === this.#buffer.length - 1) return;
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(this.#buffer.startsWith('\r\n', end) ? end + 2 : end + 1);
      this.#line(line);
    }
  }

  end(): void {
    if (this.#buffer !== '') this.#line(this.#buffer);
    this.#buffer = '';
    this.#line('');
  }

  #line(line: string): void {
    if (line === '') {
      if (this.#data.length > 0) {
        const event: StreamEvent = { data: this.#data.join('\n') };
        if (this.#id !== undefined) event.id = this.#id;
        if (this.#event !== undefined) event.event = this.#event;
        this.#onEvent(event);
      }
      this.#id = undefined;
      this.#event = undefined;
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'id') this.#id = value;
    else if (field === 'event') this.#event = value;
  }
}

function readKeyFile(path: string): string | undefined {
  try {
    const key = readFileSync(path, 'utf8').trim();
    return key === '' ? undefined : key;
  } catch {
    return undefined;
  }
}

/** `--url`, else AGENTOS_URL, else the local port; `--api-key`, else AGENTOS_API_KEY, else `<home>/admin-api-key`. */
export function apiClientFrom(options: ApiClientOptions, config: AgentOsConfig): ApiClient {
  const env = process.env;
  const url = options.url || env.AGENTOS_URL || `http://127.0.0.1:${config.port}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new AgentOsError('request.invalid', `"${url}" is not an http:// or https:// URL`);
  }
  const keyFile = join(config.home, ADMIN_KEY_FILE);
  const apiKey = options.apiKey || env.AGENTOS_API_KEY || readKeyFile(keyFile);
  const hint = `no API key found: pass --api-key, set AGENTOS_API_KEY, or run \`agentos serve\` once to create ${keyFile}`;
  return new ApiClient(url, apiKey, hint);
}
