import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import { messageOf } from './api-client.ts';
import type { DoctorCheck } from './doctor-check.ts';

export const PROBE_TIMEOUT_MS = 3_000;

const OPENAI_URL = 'https://api.openai.com/v1';
const ANTHROPIC_URL = 'https://api.anthropic.com/v1';

/** A provider as doctor asks it: its models endpoint and the headers that carry its key. */
interface ProviderEndpoint {
  name: string;
  modelsUrl: string;
  headers: Record<string, string>;
}

const modelsUrl = (baseURL: string): string => `${baseURL.replace(/\/+$/, '')}/models`;

function endpointsOf(providers: AgentOsConfig['providers']): ProviderEndpoint[] {
  const endpoints: ProviderEndpoint[] = [];
  if (providers.openai) {
    endpoints.push({
      name: 'openai',
      modelsUrl: modelsUrl(providers.openai.baseURL ?? OPENAI_URL),
      headers: { authorization: `Bearer ${providers.openai.apiKey}` },
    });
  }
  if (providers.anthropic) {
    // The SDK adds /v1 to the bare host; any other base URL is used as given.
    const base = (providers.anthropic.baseURL ?? ANTHROPIC_URL).replace(/\/+$/, '');
    endpoints.push({
      name: 'anthropic',
      modelsUrl: modelsUrl(base === 'https://api.anthropic.com' ? ANTHROPIC_URL : base),
      headers: { 'x-api-key': providers.anthropic.apiKey, 'anthropic-version': '2023-06-01' },
    });
  }
  for (const compatible of providers.compatible) {
    endpoints.push({
      name: compatible.name,
      modelsUrl: modelsUrl(compatible.baseURL),
      headers: compatible.apiKey === undefined ? {} : { authorization: `Bearer ${compatible.apiKey}` },
    });
  }
  return endpoints;
}

/** How many models a `/models` answer lists (OpenAI and Anthropic both answer `{ data: [...] }`). */
function modelCount(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || !('data' in body)) return undefined;
  return Array.isArray(body.data) ? body.data.length : undefined;
}

async function probe(endpoint: ProviderEndpoint, timeoutMs: number): Promise<DoctorCheck> {
  const name = `provider ${endpoint.name}`;
  const where = `GET ${endpoint.modelsUrl}`;
  let response: Response;
  try {
    response = await fetch(endpoint.modelsUrl, {
      headers: endpoint.headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const why =
      error instanceof DOMException && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : messageOf(error);
    return { name, ok: false, detail: `${where}: ${why}` };
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const rejected = response.status === 401 || response.status === 403 ? ' (the API key was rejected)' : '';
    return { name, ok: false, detail: `${where}: HTTP ${response.status}${rejected}` };
  }
  let count: number | undefined;
  try {
    count = modelCount(JSON.parse(text));
  } catch {
    count = undefined;
  }
  if (count === undefined) {
    return { name, ok: false, detail: `${where}: HTTP ${response.status} but not a model list` };
  }
  return { name, ok: true, detail: `${where}: ${count} model${count === 1 ? '' : 's'}` };
}

/**
 * Asks every configured provider for its models, at once and each within `timeoutMs`: a refused
 * connection, a timeout, a rejected key or an answer that is not a model list fails that provider's check.
 */
export function probeProviders(
  providers: AgentOsConfig['providers'],
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<DoctorCheck[]> {
  return Promise.all(endpointsOf(providers).map((endpoint) => probe(endpoint, timeoutMs)));
}
