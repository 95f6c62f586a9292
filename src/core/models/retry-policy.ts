// Our own retries around model calls (call the AI SDK with maxRetries: 0): per-attempt timeouts,
// exponential backoff with full jitter, respect for retry-after, and prompt caller cancellation.
import { AgentOsError } from '../errors/agent-os-error.ts';
import { classifyProviderFault, type ProviderFault, type ProviderFaultKind } from './provider-fault.ts';

export interface BackoffPolicy {
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** Uniform in [0, 1); injectable for tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseDelayMs: 250,
  factor: 2,
  maxDelayMs: 30_000,
  random: Math.random,
};

/**
 * Delay before retry number `attempt` (1 = the first retry): full jitter over
 * min(maxDelayMs, baseDelayMs × factor^(attempt−1)), and never less than the fault's retryAfterMs.
 */
export function backoffDelayMs(
  attempt: number,
  fault: Pick<ProviderFault, 'retryAfterMs'>,
  policy: Partial<BackoffPolicy> = {},
): number {
  const { baseDelayMs, factor, maxDelayMs, random } = { ...DEFAULT_BACKOFF, ...policy };
  const ceiling = Math.min(maxDelayMs, baseDelayMs * factor ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, Math.ceil(fault.retryAfterMs ?? 0));
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  fault: ProviderFault;
  delayMs: number;
}

export type Sleep = (ms: number, signal: AbortSignal | undefined) => Promise<void>;

export interface ProviderRetryOptions {
  /** Retries after the first attempt; default 5 (so at most 6 attempts). */
  maxRetries?: number;
  /** Per-attempt timeout; default 120 000 ms. */
  timeoutMs?: number;
  /** The caller's cancellation. */
  signal?: AbortSignal | undefined;
  onRetry?: (info: RetryInfo) => void;
  /** Waits `ms`, resolving early when `signal` aborts. */
  sleep?: Sleep;
  backoff?: Partial<BackoffPolicy>;
  /** A provider asking us to wait longer than this (retry-after) is not retried; default 300 000 ms. */
  maxRetryAfterMs?: number;
}

export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;

const KIND_LABEL: Record<ProviderFaultKind, string> = {
  rate_limited: 'rate limited',
  server: 'server error',
  timeout: 'timed out',
  connection: 'connection failed',
  client: 'request rejected',
  aborted: 'cancelled',
};

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

function attemptTimeoutReason(timeoutMs: number): DOMException {
  return new DOMException(`The model call attempt timed out after ${timeoutMs} ms.`, 'TimeoutError');
}

/** Runs one attempt; settles as soon as the call settles, the attempt times out or the caller aborts. */
async function runAttempt<T>(
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  timeout: AbortController,
): Promise<T> {
  const attempt = new AbortController();
  let stop: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  const onCaller = (): void => {
    attempt.abort(callerSignal?.reason);
    stop(callerSignal?.reason);
  };
  const timer = setTimeout(() => {
    const reason = attemptTimeoutReason(timeoutMs);
    timeout.abort(reason);
    attempt.abort(reason);
    stop(reason);
  }, timeoutMs);
  callerSignal?.addEventListener('abort', onCaller, { once: true });
  try {
    const pending = Promise.resolve().then(() => call(attempt.signal));
    // A call that ignores its signal must not keep us waiting; its late rejection is dropped.
    pending.catch(() => {});
    return await Promise.race([pending, stopped]);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCaller);
  }
}

/** A function, so that TypeScript does not keep an earlier narrowing of `signal.aborted` across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

function providerError(fault: ProviderFault, attempts: number, cause: unknown, why: string): AgentOsError {
  const status = fault.status === undefined ? '' : `, HTTP ${fault.status}`;
  const message =
    `Model provider call failed (${KIND_LABEL[fault.kind]}${status}) after ${attempts} ` +
    `attempt${attempts === 1 ? '' : 's'}, ${why}: ${fault.message}`;
  return new AgentOsError('model.provider_error', message, { fault, attempts }, { cause });
}

/**
 * Calls `call` until it succeeds, retrying retryable provider faults with backoff.
 *
 * - Each attempt gets its own signal, aborted when the attempt times out (reason: a DOMException
 *   named 'TimeoutError') or when the caller's signal aborts.
 * - Caller cancellation stops at once, during an attempt or a backoff wait, and rethrows the caller's
 *   abort reason (`signal.reason`) AS IS — never wrapped, never retried.
 * - Otherwise a non-retryable fault, a retryable one after maxRetries retries, or a retry-after longer
 *   than maxRetryAfterMs, throws
 *   AgentOsError('model.provider_error') with details { fault, attempts } and the last error as cause.
 */
export async function withProviderRetries<T>(
  call: (signal: AbortSignal) => Promise<T>,
  options: ProviderRetryOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const sleep = options.sleep ?? defaultSleep;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const callerSignal = options.signal;

  for (let attempt = 1; ; attempt++) {
    if (callerSignal !== undefined && isAborted(callerSignal)) throw callerSignal.reason;
    const timeout = new AbortController();
    try {
      return await runAttempt(call, timeoutMs, callerSignal, timeout);
    } catch (error) {
      if (callerSignal !== undefined && isAborted(callerSignal)) throw callerSignal.reason;
      const fault = classifyProviderFault(error, { callerSignal, timeoutSignal: timeout.signal });
      if (!fault.retryable) throw providerError(fault, attempt, error, 'not retryable');
      if (attempt > maxRetries) throw providerError(fault, attempt, error, 'retries exhausted');
      if (fault.retryAfterMs !== undefined && fault.retryAfterMs > maxRetryAfterMs) {
        const why = `the provider asked to wait ${fault.retryAfterMs} ms, more than the ${maxRetryAfterMs} ms allowed`;
        throw providerError(fault, attempt, error, why);
      }
      const delayMs = backoffDelayMs(attempt, fault, options.backoff);
      options.onRetry?.({ attempt, fault, delayMs });
      await sleep(delayMs, callerSignal);
    }
  }
}
