import { APICallError, RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../errors/agent-os-error.ts';
import { classifyProviderFault, retryAfterMsFromHeaders } from './provider-fault.ts';

function apiError(
  statusCode: number | undefined,
  responseHeaders: Record<string, string> = {},
  cause?: unknown,
) {
  return new APICallError({
    message: statusCode === undefined ? 'Cannot connect to API' : `HTTP ${statusCode} from provider`,
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode === undefined ? {} : { statusCode }),
    responseHeaders,
    cause,
    isRetryable: statusCode === undefined || statusCode === 429 || statusCode >= 500,
  });
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('retryAfterMsFromHeaders', () => {
  const now = () => Date.parse('2025-01-01T00:00:00Z');

  it('prefers retry-after-ms, then retry-after seconds, then an HTTP date', () => {
    expect(retryAfterMsFromHeaders({ 'retry-after-ms': '300', 'retry-after': '9' }, now)).toBe(300);
    expect(retryAfterMsFromHeaders({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMsFromHeaders({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(retryAfterMsFromHeaders({ 'Retry-After': 'Wed, 01 Jan 2025 00:00:07 GMT' }, now)).toBe(7000);
    expect(retryAfterMsFromHeaders({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }, now)).toBe(0);
  });

  it('ignores missing or garbage values', () => {
    expect(retryAfterMsFromHeaders(undefined)).toBeUndefined();
    expect(retryAfterMsFromHeaders({})).toBeUndefined();
    expect(retryAfterMsFromHeaders({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMsFromHeaders({ 'retry-after-ms': 'x', 'retry-after': '1' })).toBe(1000);
  });
});

describe('classifyProviderFault', () => {
  it('classifies HTTP statuses', () => {
    expect(classifyProviderFault(apiError(429, { 'retry-after-ms': '300' }))).toEqual({
      kind: 'rate_limited',
      retryable: true,
      status: 429,
      retryAfterMs: 300,
      message: 'HTTP 429 from provider',
    });
    expect(classifyProviderFault(apiError(503))).toMatchObject({
      kind: 'server',
      retryable: true,
      status: 503,
    });
    expect(classifyProviderFault(apiError(500, { 'retry-after': '1' }))).toMatchObject({
      retryAfterMs: 1000,
    });
    expect(classifyProviderFault(apiError(408))).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classifyProviderFault(apiError(400))).toEqual({
      kind: 'client',
      retryable: false,
      status: 400,
      message: 'HTTP 400 from provider',
    });
    expect(classifyProviderFault(apiError(401))).toMatchObject({ kind: 'client', retryable: false });
  });

  it('looks through RetryError.lastError and cause chains', () => {
    const retry = new RetryError({
      message: 'Failed after 3 attempts',
      reason: 'maxRetriesExceeded',
      errors: [apiError(500), apiError(500), apiError(429, { 'retry-after': '3' })],
    });
    expect(classifyProviderFault(retry)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    const wrapped = new Error('step failed', { cause: new Error('model failed', { cause: apiError(502) }) });
    expect(classifyProviderFault(wrapped)).toMatchObject({ kind: 'server', status: 502 });
  });

  it('classifies network failures as connection faults', () => {
    const refused = new TypeError('fetch failed', {
      cause: withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
    });
    expect(classifyProviderFault(refused)).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyProviderFault(refused).message).toMatch(/ECONNREFUSED/);
    expect(classifyProviderFault(withCode('read ECONNRESET', 'ECONNRESET'))).toMatchObject({
      kind: 'connection',
    });
    expect(classifyProviderFault(new Error('socket hang up'))).toMatchObject({ kind: 'connection' });
    expect(classifyProviderFault(new TypeError('fetch failed'))).toMatchObject({ kind: 'connection' });
    const sdk = apiError(undefined, {}, withCode('other side closed', 'UND_ERR_SOCKET'));
    expect(classifyProviderFault(sdk)).toMatchObject({ kind: 'connection', retryable: true });
    expect(classifyProviderFault(sdk)).not.toHaveProperty('status');
  });

  it('classifies timeouts', () => {
    expect(classifyProviderFault(new DOMException('too slow', 'TimeoutError'))).toMatchObject({
      kind: 'timeout',
      retryable: true,
    });
    expect(classifyProviderFault(withCode('connect ETIMEDOUT', 'ETIMEDOUT'))).toMatchObject({
      kind: 'timeout',
    });
    const timeout = new AbortController();
    timeout.abort(new DOMException('attempt timed out after 5 ms', 'TimeoutError'));
    // Whatever was thrown, our own timeout signal having fired makes it a timeout.
    const fault = classifyProviderFault(new DOMException('aborted', 'AbortError'), {
      timeoutSignal: timeout.signal,
    });
    expect(fault).toEqual({ kind: 'timeout', retryable: true, message: 'attempt timed out after 5 ms' });
  });

  it('classifies cancellation as aborted and not retryable', () => {
    expect(classifyProviderFault(new DOMException('This operation was aborted', 'AbortError'))).toMatchObject(
      {
        kind: 'aborted',
        retryable: false,
      },
    );
    const caller = new AbortController();
    caller.abort(new Error('user pressed stop'));
    const timeout = new AbortController();
    timeout.abort();
    // The caller's cancellation wins over everything, even a retryable-looking error.
    const fault = classifyProviderFault(apiError(503), {
      callerSignal: caller.signal,
      timeoutSignal: timeout.signal,
    });
    expect(fault).toMatchObject({ kind: 'aborted', retryable: false });
  });

  it('reuses the fault inside an AgentOsError, and treats unknown errors as non-retryable', () => {
    const inner = { kind: 'server', retryable: true, status: 502, message: 'bad gateway' } as const;
    const error = new AgentOsError('model.provider_error', 'failed', { fault: inner, attempts: 3 });
    expect(classifyProviderFault(error)).toEqual(inner);
    expect(classifyProviderFault(new Error('Cannot read properties of undefined'))).toMatchObject({
      kind: 'client',
      retryable: false,
    });
    expect(classifyProviderFault('a string')).toEqual({
      kind: 'client',
      retryable: false,
      message: 'a string',
    });
  });
});
