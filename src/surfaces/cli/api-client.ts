import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { AgentOsError, type ErrorCode } from '../../core/errors/agent-os-error.ts';
import { ADMIN_KEY_FILE } from '../../core/identity/first-start.ts';
import { type AgentOsClient, createAgentOsClient } from '../client/agent-os-client.ts';

export interface ApiClientOptions {
  url?: string;
  apiKey?: string;
}

/**
 * The CLI's client for a running Agent OS: the typed client (src/surfaces/client), so every path, body and answer
 * is checked against the OpenAPI document. It reads JSON answers; streams and files ask `parseAs`.
 */
export type CliClient = AgentOsClient<'application/json'>;

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** `--url`, else AGENTOS_URL, else the local port; `--api-key`, else AGENTOS_API_KEY, else `<home>/admin-api-key`. */
export function apiClientFrom(options: ApiClientOptions, config: AgentOsConfig): CliClient {
  const env = process.env;
  const url = options.url || env.AGENTOS_URL || `http://127.0.0.1:${config.port}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new AgentOsError('request.invalid', `"${url}" is not an http:// or https:// URL`);
  }
  const apiKey = apiKeyFrom(options, config);
  const keyHint = `no API key found: pass --api-key, set AGENTOS_API_KEY, or run \`agentos serve\` once to create ${join(config.home, ADMIN_KEY_FILE)}`;
  const baseUrl = url.replace(/\/+$/, '');
  return createAgentOsClient<'application/json'>({
    baseUrl,
    apiKey,
    fetch: (request) => fetch(request).catch((error: unknown) => Promise.reject(unreachable(baseUrl, error))),
    toError: (response) => errorFrom(response, baseUrl, apiKey === undefined ? keyHint : undefined),
  });
}

/** `--api-key`, else AGENTOS_API_KEY, else the admin key first start saved in `<home>/admin-api-key`. */
export function apiKeyFrom(options: ApiClientOptions, config: AgentOsConfig): string | undefined {
  return options.apiKey || process.env.AGENTOS_API_KEY || readKeyFile(join(config.home, ADMIN_KEY_FILE));
}

function unreachable(baseUrl: string, error: unknown): AgentOsError {
  return new AgentOsError(
    'internal',
    `Cannot reach Agent OS at ${baseUrl}: ${messageOf(error)} (is \`agentos serve\` running?)`,
    undefined,
    { cause: error },
  );
}

/** An error answer as the CLI prints it: the server's own code and message (`error [skill.not_found]: …`). */
async function errorFrom(
  response: Response,
  baseUrl: string,
  keyHint: string | undefined,
): Promise<AgentOsError> {
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = errorBody.safeParse(parsed);
  if (!result.success) {
    return new AgentOsError('internal', `Agent OS at ${baseUrl} answered HTTP ${response.status}`);
  }
  const { code, message, details } = result.data.error;
  const hint = code === 'auth.missing' && keyHint !== undefined ? ` (${keyHint})` : '';
  // The server speaks the same error codes; a newer server's unknown code still carries its message.
  return new AgentOsError(code as ErrorCode, `${message}${hint}`, details);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error && cause.message !== '') return cause.message;
    return error.message;
  }
  return String(error);
}

function readKeyFile(path: string): string | undefined {
  try {
    const key = readFileSync(path, 'utf8').trim();
    return key === '' ? undefined : key;
  } catch {
    return undefined;
  }
}
