// Classifies whatever an AI SDK model call threw into a small set of fault kinds that decide retrying.
import { APICallError, RetryError } from 'ai';
import { isAgentOsError } from '../errors/agent-os-error.ts';

export type ProviderFaultKind = 'rate_limited' | 'server' | 'timeout' | 'connection' | 'client' | 'aborted';

export interface ProviderFault {
  kind: ProviderFaultKind;
  retryable: boolean;
  /** How long the provider asked us to wait (retry-after-ms / retry-after headers). */
  retryAfterMs?: number;
  /** HTTP status, when the provider answered. */
  status?: number;
  message: string;
}

export interface FaultContext {
  /** The caller's cancellation signal: when aborted, the fault is 'aborted' whatever was thrown. */
  callerSignal?: AbortSignal | undefined;
  /** The per-attempt timeout signal: when aborted (and the caller's is not), the fault is 'timeout'. */
  timeoutSignal?: AbortSignal | undefined;
  /** Clock for HTTP-date retry-after values. */
  now?: () => number;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ConnectionRefused',
  'ConnectionClosed',
  'FailedToOpenSocket',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const CONNECTION_MESSAGE =
  /socket hang up|fetch failed|failed to fetch|other side closed|cannot connect to api|network ?error|terminated/i;

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** `retry-after-ms` (milliseconds) wins over `retry-after` (seconds or an HTTP date). */
export function retryAfterMsFromHeaders(
  headers: Record<string, string> | undefined,
  now: () => number = Date.now,
): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = header(headers, 'retry-after')?.trim();
  if (after === undefined || after === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** The error, its `cause`s and any RetryError.lastError, outermost first, without cycles. */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    chain.push(current);
    if (RetryError.isInstance(current)) current = current.lastError;
    else if (current instanceof Error) current = current.cause;
    else current = undefined;
  }
  return chain;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return String(error);
}

function fromStatus(status: number, message: string, retryAfterMs: number | undefined): ProviderFault {
  const wait = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status === 429) return { kind: 'rate_limited', retryable: true, status, message, ...wait };
  if (status === 408) return { kind: 'timeout', retryable: true, status, message, ...wait };
  if (status >= 500) return { kind: 'server', retryable: true, status, message, ...wait };
  if (status >= 400) return { kind: 'client', retryable: false, status, message };
  // A 2xx/3xx whose body could not be processed (e.g. cut off mid-response): treat as a server fault.
  return { kind: 'server', retryable: true, status, message };
}

function isProviderFault(value: unknown): value is ProviderFault {
  if (typeof value !== 'object' || value === null) return false;
  const fault = value as Record<string, unknown>;
  return (
    typeof fault.kind === 'string' &&
    typeof fault.retryable === 'boolean' &&
    typeof fault.message === 'string'
  );
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error || error instanceof DOMException ? error.name : undefined;
}

export function classifyProviderFault(error: unknown, context: FaultContext = {}): ProviderFault {
  const now = context.now ?? Date.now;
  const chain = errorChain(error);
  const top = messageOf(error);
  if (context.callerSignal?.aborted === true) {
    return { kind: 'aborted', retryable: false, message: `The model call was cancelled: ${top}` };
  }
  if (context.timeoutSignal?.aborted === true) {
    return { kind: 'timeout', retryable: true, message: messageOf(context.timeoutSignal.reason) };
  }
  // An HTTP answer is the most specific evidence, wherever it sits in the chain.
  for (const link of chain) {
    if (isAgentOsError(link) && isProviderFault(link.details?.fault)) return link.details.fault;
    if (APICallError.isInstance(link) && link.statusCode !== undefined) {
      return fromStatus(link.statusCode, link.message, retryAfterMsFromHeaders(link.responseHeaders, now));
    }
  }
  for (const link of chain) {
    const name = nameOf(link);
    const code = codeOf(link);
    const message = messageOf(link);
    if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) {
      return { kind: 'timeout', retryable: true, message };
    }
    if (name === 'AbortError' || name === 'ResponseAborted') {
      return { kind: 'aborted', retryable: false, message };
    }
    if (code !== undefined && CONNECTION_CODES.has(code)) {
      return { kind: 'connection', retryable: true, message: top === message ? top : `${top}: ${message}` };
    }
  }
  for (const link of chain) {
    if (link instanceof Error && CONNECTION_MESSAGE.test(link.message)) {
      return { kind: 'connection', retryable: true, message: top };
    }
    if (APICallError.isInstance(link) && link.isRetryable) {
      return { kind: 'connection', retryable: true, message: top };
    }
  }
  // Anything else (bad arguments, unparseable responses, our own bugs) will not get better by retrying.
  return { kind: 'client', retryable: false, message: top };
}
