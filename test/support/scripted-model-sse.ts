// Wire format of the OpenAI Chat Completions API, as spoken by the scripted model server:
// request body types, token estimation, the non-streamed `chat.completion` body and the
// streamed `chat.completion.chunk` sequence. Test support only.

export interface ChatCompletionContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

export interface ChatCompletionMessageToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

export interface ChatCompletionMessage {
  role: string;
  content?: string | ChatCompletionContentPart[] | null;
  name?: string;
  tool_calls?: ChatCompletionMessageToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

export interface ChatCompletionTool {
  type: string;
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export interface ChatCompletionRequestBody {
  model: string;
  messages: ChatCompletionMessage[];
  tools?: ChatCompletionTool[];
  tool_choice?: string | { type: string; function?: { name: string } };
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  [key: string]: unknown;
}

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type WireFinishReason = 'stop' | 'tool_calls' | 'length';

/** What the server decided to answer, already resolved (ids assigned, arguments serialised, text cut). */
export type ResolvedCompletion =
  | { kind: 'text'; text: string; finishReason: 'stop' | 'length'; usage: WireUsage }
  | {
      kind: 'tool_calls';
      toolCalls: ChatCompletionMessageToolCall[];
      finishReason: 'tool_calls';
      usage: WireUsage;
    };

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

/** Rough token estimate used when a reply does not script its usage: ceil(chars / 4). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function promptChars(messages: ChatCompletionMessage[]): number {
  let chars = 0;
  for (const message of messages) {
    const content = message.content;
    if (typeof content === 'string') {
      chars += content.length;
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (typeof part.text === 'string') chars += part.text.length;
      }
    }
  }
  return chars;
}

/** Splits text on word boundaries; the pieces concatenate back to exactly `text`. */
export function splitWords(text: string): string[] {
  return text.split(/(?<=\s)(?=\S)/).filter((piece) => piece.length > 0);
}

/** Keeps the first `maxWords` whitespace-separated words (with the whitespace between them). */
export function truncateWords(text: string, maxWords: number): { text: string; truncated: boolean } {
  const words = text.match(/\s*\S+/g) ?? [];
  if (words.length <= maxWords) return { text, truncated: false };
  return { text: words.slice(0, Math.max(0, maxWords)).join(''), truncated: true };
}

/** Splits a tool-call argument string into a few pieces, as OpenAI streams them. */
export function splitArguments(args: string): string[] {
  if (args.length <= 1) return [args];
  const size = Math.max(1, Math.ceil(args.length / 3));
  const pieces: string[] = [];
  for (let i = 0; i < args.length; i += size) pieces.push(args.slice(i, i + size));
  return pieces;
}

export function completionBody(
  meta: CompletionMeta,
  completion: ResolvedCompletion,
): Record<string, unknown> {
  const message =
    completion.kind === 'text'
      ? { role: 'assistant', content: completion.text, refusal: null }
      : { role: 'assistant', content: null, refusal: null, tool_calls: completion.toolCalls };
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: 'fp_scripted',
    choices: [{ index: 0, message, logprobs: null, finish_reason: completion.finishReason }],
    usage: completion.usage,
  };
}

/**
 * The `data:` payloads of a streamed completion, in order, ending with the literal `[DONE]`.
 * When `includeUsage` is set, every chunk carries `usage: null` and a final chunk with
 * `choices: []` carries the usage, as OpenAI does for `stream_options.include_usage`.
 */
export function streamPayloads(
  meta: CompletionMeta,
  completion: ResolvedCompletion,
  includeUsage: boolean,
): string[] {
  const chunk = (choices: unknown[], usage?: WireUsage): string =>
    JSON.stringify({
      id: meta.id,
      object: 'chat.completion.chunk',
      created: meta.created,
      model: meta.model,
      system_fingerprint: 'fp_scripted',
      choices,
      ...(includeUsage ? { usage: usage ?? null } : {}),
    });
  const delta = (value: Record<string, unknown>, finishReason: WireFinishReason | null = null): string =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);

  const payloads: string[] = [];
  if (completion.kind === 'text') {
    payloads.push(delta({ role: 'assistant', content: '', refusal: null }));
    for (const piece of splitWords(completion.text)) payloads.push(delta({ content: piece }));
  } else {
    payloads.push(delta({ role: 'assistant', content: null, refusal: null }));
    completion.toolCalls.forEach((call, index) => {
      payloads.push(
        delta({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
          ],
        }),
      );
      for (const piece of splitArguments(call.function.arguments)) {
        payloads.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
  }
  payloads.push(delta({}, completion.finishReason));
  if (includeUsage) payloads.push(chunk([], completion.usage));
  payloads.push('[DONE]');
  return payloads;
}

const ERROR_TYPES: Record<number, { type: string; code: string }> = {
  400: { type: 'invalid_request_error', code: 'invalid_request' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'permission_error', code: 'permission_denied' },
  404: { type: 'invalid_request_error', code: 'not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  503: { type: 'server_error', code: 'service_unavailable' },
};

/** OpenAI-style error body: {"error":{"message","type","param","code"}}. */
export function errorBody(status: number, message: string, code?: string): Record<string, unknown> {
  const known = ERROR_TYPES[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: `http_${status}`,
  };
  return { error: { message, type: known.type, param: null, code: code ?? known.code } };
}
