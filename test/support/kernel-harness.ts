import type { AgentDefinitionInput } from '../../src/core/agents/agent-definition.ts';
import { agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import type { AgentOsConfig } from '../../src/core/config/config-schema.ts';
import { schedulerConfigSchema } from '../../src/core/config/scheduler-config.ts';
import type { FirstStartResult } from '../../src/core/identity/first-start.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import type { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { LlmScheduler } from '../../src/plugins/scheduler/llm-scheduler.ts';
import { type AgentOsProcess, type ProcessRole, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { testConfig } from './test-config.ts';

export interface KernelHarness {
  agentOs: AgentOsProcess;
  config: AgentOsConfig;
  url: string;
  key: string;
  workspaceId: string;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  createAgent(definition: Partial<AgentDefinitionInput> & { name: string }): Promise<string>;
}

function firstKey(firstStart: FirstStartResult): { key: string; workspaceId: string } {
  if (!firstStart.created) throw new Error('expected a fresh store');
  return { key: firstStart.apiKey, workspaceId: firstStart.workspaceId };
}

/** A real Agent OS process (API + worker) on the given store, talking to a scripted model over HTTP. */
export async function startKernelHarness(options: {
  store: Store;
  modelBaseUrl: string;
  tools: ToolRegistry;
  roles?: ProcessRole[];
  worker?: Partial<AgentOsConfig['worker']>;
  orchestration?: AgentOsConfig['orchestration'];
  conversations?: AgentOsConfig['conversations'];
  /** More OpenAI-compatible providers beside `scripted` (e.g. one that is down). */
  compatible?: AgentOsConfig['providers']['compatible'];
}): Promise<KernelHarness> {
  const base = testConfig();
  const config: AgentOsConfig = {
    ...base,
    providers: {
      compatible: [{ name: 'scripted', baseURL: options.modelBaseUrl }, ...(options.compatible ?? [])],
    },
    worker: { ...base.worker, ...options.worker },
    ...(options.orchestration === undefined ? {} : { orchestration: options.orchestration }),
    ...(options.conversations === undefined ? {} : { conversations: options.conversations }),
  };
  // The product's own gateway (the LLM scheduler), with quick retries for tests.
  const gateway = new LlmScheduler(
    createModelRegistry(config.providers),
    schedulerConfigSchema.parse({
      maxRetries: 2,
      attemptTimeoutMs: 5_000,
      retryBaseDelayMs: 20,
      retryMaxDelayMs: 200,
    }),
  );
  const agentOs = await startAgentOs(config, {
    roles: options.roles ?? ['api', 'worker'],
    store: options.store,
    tools: options.tools,
    gateway,
    log: () => {},
  });
  const { key, workspaceId } = firstKey(agentOs.firstStart);
  const url = agentOs.http!.url;
  return {
    agentOs,
    config,
    url,
    key,
    workspaceId,
    api: async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    createAgent: async (definition) => {
      const agent = await createAgent(options.store, {
        workspaceId,
        definition: agentDefinitionSchema.parse({
          description: 'test agent',
          model: 'scripted:test-model',
          ...definition,
        }),
      });
      return agent.id;
    },
  };
}

export interface SseEvent {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

/** Reads a text/event-stream response to its end (or until `stopAfter` returns true). */
export async function readSse(
  response: Response,
  stopAfter?: (event: SseEvent) => boolean,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let current: SseEvent = { id: undefined, event: undefined, data: '' };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (current.data !== '' || current.event !== undefined) {
          events.push(current);
          if (stopAfter?.(current)) {
            await reader.cancel();
            return events;
          }
        }
        current = { id: undefined, event: undefined, data: '' };
      } else if (line.startsWith('id:')) current.id = line.slice(3).trim();
      else if (line.startsWith('event:')) current.event = line.slice(6).trim();
      else if (line.startsWith('data:'))
        current.data += (current.data === '' ? '' : '\n') + line.slice(5).trimStart();
      newline = buffer.indexOf('\n');
    }
  }
  return events;
}
