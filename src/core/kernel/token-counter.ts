import type { ChatMessage } from './messages.ts';

/** Counts prompt tokens: exactly where we have the provider's tokenizer, by an estimate otherwise. */
export interface TokenCounter {
  readonly exact: boolean;
  text(text: string): number;
  message(message: ChatMessage): number;
}

/** Per-message framing the chat formats add (role markers, separators). */
const MESSAGE_OVERHEAD = 4;
/** English text averages about four characters per token across BPE tokenizers; rounded up to stay on the safe side. */
const CHARS_PER_TOKEN = 3.5;

function messageText(message: ChatMessage): string {
  switch (message.role) {
    case 'system':
    case 'user':
      return message.content;
    case 'assistant':
      return message.text + message.toolCalls.map((call) => call.name + call.argumentsText).join('');
    case 'tool':
      return JSON.stringify(message.result.output ?? null);
  }
}

/** Texts whose count is remembered across runs (a conversation's history is re-read for every message). */
const TEXT_CACHE_ENTRIES = 20_000;

function counterFrom(exact: boolean, count: (text: string) => number): TokenCounter {
  // Messages are immutable once in the conversation: count each once.
  const cache = new WeakMap<ChatMessage, number>();
  const texts = new Map<string, number>();
  const countText = (text: string): number => {
    let tokens = texts.get(text);
    if (tokens === undefined) {
      tokens = count(text);
      if (texts.size >= TEXT_CACHE_ENTRIES) texts.delete(texts.keys().next().value as string);
      texts.set(text, tokens);
    }
    return tokens;
  };
  return {
    exact,
    text: countText,
    message(message) {
      let tokens = cache.get(message);
      if (tokens === undefined) {
        tokens = countText(messageText(message)) + MESSAGE_OVERHEAD;
        cache.set(message, tokens);
      }
      return tokens;
    },
  };
}

export const estimatingCounter: TokenCounter = counterFrom(false, (text) =>
  Math.ceil(text.length / CHARS_PER_TOKEN),
);

let openAiCounter: Promise<TokenCounter> | undefined;

/** OpenAI's current models use o200k_base; its ranks ship inside js-tiktoken (no download), loaded on first use. */
async function loadOpenAiCounter(): Promise<TokenCounter> {
  const [{ Tiktoken }, { default: ranks }] = await Promise.all([
    import('js-tiktoken/lite'),
    import('js-tiktoken/ranks/o200k_base'),
  ]);
  const encoder = new Tiktoken(ranks);
  return counterFrom(true, (text) => encoder.encode(text, 'all').length);
}

export function tokenCounterFor(provider: string): Promise<TokenCounter> {
  if (provider !== 'openai') return Promise.resolve(estimatingCounter);
  openAiCounter ??= loadOpenAiCounter();
  return openAiCounter;
}
