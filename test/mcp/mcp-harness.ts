import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type AgentDefinitionInput, agentDefinitionSchema } from '../../src/core/agents/agent-definition.ts';
import { createAgent } from '../../src/core/agents/agent-repo.ts';
import type { AgentOsConfig } from '../../src/core/config/config-schema.ts';
import { schedulerConfigSchema } from '../../src/core/config/scheduler-config.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import type { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { LlmScheduler } from '../../src/plugins/scheduler/llm-scheduler.ts';
import { type AgentOsProcess, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { eventually } from '../support/eventually.ts';
import { testConfig } from '../support/test-config.ts';

const resolvePackage = (path: string) =>
  fileURLToPath(new URL(`../../node_modules/${path}`, import.meta.url));

/** Entry points of the real MCP servers the tests register (stdio, `node <entry>`). */
export const EVERYTHING_SERVER = resolvePackage('@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM_SERVER = resolvePackage('@modelcontextprotocol/server-filesystem/dist/index.js');
export const CHANGING_SERVER = fileURLToPath(new URL('./fixtures/changing-server.ts', import.meta.url));
export const WEB_SERVER = fileURLToPath(new URL('./fixtures/web-server.ts', import.meta.url));
export const BANK_SERVER = fileURLToPath(new URL('./fixtures/bank-server.ts', import.meta.url));
/** tsx's loader by path, for a fixture started from a process whose cwd is not the repository. */
export const TSX_LOADER = resolvePackage('tsx/dist/loader.mjs');

export interface McpHarness {
  agentOs: AgentOsProcess;
  url: string;
  key: string;
  workspaceId: string;
  /** Everything Agent OS logged. */
  logs: string[];
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; text: string }>;
  createAgent(definition: Partial<AgentDefinitionInput> & { name: string }): Promise<string>;
  runTask(agent: string, task: string): Promise<RunRecord>;
}

/** A real Agent OS process (API + worker) whose log is kept, talking to a scripted model over HTTP. */
export async function startMcpHarness(options: {
  store: Store;
  modelBaseUrl: string;
  tools: ToolRegistry;
}): Promise<McpHarness> {
  const base = testConfig();
  const config: AgentOsConfig = {
    ...base,
    providers: { compatible: [{ name: 'scripted', baseURL: options.modelBaseUrl }] },
  };
  const gateway = new LlmScheduler(
    createModelRegistry(config.providers),
    schedulerConfigSchema.parse({ maxRetries: 2, attemptTimeoutMs: 5_000, retryBaseDelayMs: 20 }),
  );
  const logs: string[] = [];
  const agentOs = await startAgentOs(config, {
    roles: ['api', 'worker'],
    store: options.store,
    tools: options.tools,
    gateway,
    log: (message) => logs.push(message),
  });
  if (!agentOs.firstStart.created) throw new Error('expected a fresh store');
  const { apiKey: key, workspaceId } = agentOs.firstStart;
  const url = agentOs.http?.url ?? '';
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as T, text };
  };
  return {
    agentOs,
    url,
    key,
    workspaceId,
    logs,
    api,
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
    runTask: async (agent, task) =>
      (await api<{ run: RunRecord }>('POST', '/api/runs', { agent, task, wait: true, waitTimeoutMs: 30_000 }))
        .body.run,
  };
}

export interface LoopbackSite {
  url: string;
  host: string;
  close(): Promise<void>;
}

/** A loopback web site for http_fetch: /hello (text), /big (2 MB), /hang (never answers), /away (redirect off the allowlist). */
export async function startLoopbackSite(): Promise<LoopbackSite> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/hello') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from loopback');
    } else if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(2 * 1024 * 1024));
    } else if (req.url === '/hang') {
      // Never answers.
    } else if (req.url === '/away') {
      res.writeHead(302, { location: 'http://not-allowed.invalid/' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  return eventually(
    async () => {
      const value = await probe();
      if (value === undefined) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeoutMs, intervalMs: 50 },
  );
}
