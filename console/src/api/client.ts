/** The only way the console talks to Agent OS: its public HTTP API, with the session cookie. */

import { type AgentOsClient, createAgentOsClient } from '../../../src/surfaces/client/agent-os-client.ts';

export { call } from '../../../src/surfaces/client/agent-os-client.ts';

import { ApiError } from './api-error.ts';

export { ApiError };

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

/** The session's CSRF token goes on every request that changes something. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (401), so the app can show the sign-in form. */
export function setSignedOutHandler(handler: (() => void) | undefined): void {
  onSignedOut = handler;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody | undefined;
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    body = undefined;
  }
  return new ApiError(
    response.status,
    body?.error?.code ?? `http.${response.status}`,
    body?.error?.message ?? `${response.status} ${response.statusText}`,
    body?.error?.details,
  );
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat a 401 as "signed out" (the sign-in calls themselves). */
  quiet401?: boolean;
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401 && options.quiet401 !== true) onSignedOut?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) =>
  api<T>('GET', path, signal === undefined ? {} : { signal });
export const post = <T>(path: string, body?: unknown) =>
  api<T>('POST', path, body === undefined ? {} : { body });
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, { body });
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, { body });
export const del = <T>(path: string) => api<T>('DELETE', path);

/** Builds `path?key=value…`, leaving out empty values. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * The typed client generated from the API's OpenAPI document (`src/surfaces/client`), on the same session: the
 * cookie goes with every request, the CSRF token with every change, and a 401 signs the console out.
 * Paths, parameters, bodies and answers are checked by the compiler against the served document.
 */
export const typed: AgentOsClient = createAgentOsClient({
  baseUrl: window.location.origin,
  fetch: (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken !== undefined) {
      request.headers.set('x-csrf-token', csrfToken);
    }
    return fetch(request);
  },
  toError: async (response) => {
    const error = await toApiError(response);
    if (response.status === 401) onSignedOut?.();
    return error;
  },
});

/**
 * Uploads files as multipart/form-data (`file` fields) to `path`, on the session like every other change.
 * The typed client sends JSON bodies only, so uploads take this one plain request.
 */
export async function uploadFiles<T>(path: string, files: readonly File[]): Promise<T> {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method: 'POST', headers, body: form, credentials: 'same-origin' });
  if (!response.ok) {
    const error = await toApiError(response);
    if (response.status === 401) onSignedOut?.();
    throw error;
  }
  return (await response.json()) as T;
}
