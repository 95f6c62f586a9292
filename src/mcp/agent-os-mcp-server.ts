import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentRecord } from '../agents/agent-repo.ts';
import { listVisibleAgents } from '../agents/agent-visibility.ts';
import type { Kernel } from '../kernel/kernel.ts';
import type { RunRecord } from '../kernel/run-record.ts';
import { submitRun, waitForRun } from '../kernel/run-service.ts';
import type { ScopeRef } from '../memory/memory-record.ts';
import { searchMemories } from '../memory/memory-search.ts';

/** Whom the MCP client acts as: an API key's principal, or the user `agentos mcp` was started for. */
export interface McpCaller {
  workspaceId: string;
  userId: string | null;
}

export interface AgentOsMcpOptions {
  version: string;
  /** How long a call waits for its run before answering with the run's id and status. */
  waitTimeoutMs?: number;
}

export const agentToolName = (agentName: string): string => `agent_${agentName}`;

const text = (value: string, isError = false): CallToolResult => ({
  content: [{ type: 'text', text: value }],
  ...(isError ? { isError } : {}),
});

function answerOf(run: RunRecord): CallToolResult {
  const structured = { runId: run.id, status: run.status, answer: run.output?.text ?? null };
  if (run.status === 'succeeded') return { ...text(run.output?.text ?? ''), structuredContent: structured };
  const why =
    run.status === 'paused'
      ? `paused (${run.pause?.reason ?? 'unknown'}): ${run.pause?.message ?? ''}`
      : run.status === 'queued' || run.status === 'running'
        ? `still ${run.status}; follow it with GET /api/runs/${run.id}`
        : `${run.status}: ${run.error?.message ?? ''}`;
  return { ...text(`Run ${run.id} ${why}`, true), structuredContent: structured };
}

/**
 * Agent OS as an MCP server: every agent of the caller's workspace is a tool `agent_<name>` ({task}),
 * answered by a run recorded like any other, plus `search_memory`.
 */
export class AgentOsMcpServer {
  readonly server: McpServer;
  readonly #kernel: Kernel;
  readonly #caller: McpCaller;
  readonly #waitTimeoutMs: number;
  readonly #agentTools = new Map<string, { tool: RegisteredTool; description: string }>();

  constructor(kernel: Kernel, caller: McpCaller, options: AgentOsMcpOptions) {
    this.#kernel = kernel;
    this.#caller = caller;
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 600_000;
    this.server = new McpServer({ name: 'agent-os', version: options.version });
    this.#registerSearchMemory();
  }

  /** Brings the agent tools in line with the workspace's agents; connected clients hear list_changed. */
  async syncAgents(): Promise<void> {
    const agents = await listVisibleAgents(this.#kernel.store, this.#caller.workspaceId, this.#caller.userId);
    const wanted = new Map(agents.map((agent) => [agentToolName(agent.name), agent]));
    for (const [name, entry] of this.#agentTools) {
      if (!wanted.has(name)) {
        entry.tool.remove();
        this.#agentTools.delete(name);
      }
    }
    for (const [name, agent] of wanted) {
      const description = agent.definition.description;
      const existing = this.#agentTools.get(name);
      if (existing === undefined) this.#registerAgent(name, agent);
      else if (existing.description !== description) {
        existing.tool.update({ description });
        existing.description = description;
      }
    }
  }

  #registerAgent(name: string, agent: AgentRecord): void {
    const description = agent.definition.description;
    const tool = this.server.registerTool(
      name,
      {
        title: `Agent ${agent.name}`,
        description,
        inputSchema: { task: z.string().min(1).max(200_000).describe('What the agent should do') },
      },
      async ({ task }, extra) => {
        const { workspaceId, userId } = this.#caller;
        const run = await submitRun(this.#kernel, {
          workspaceId,
          userId,
          agent: agent.id,
          task,
          priority: 'interactive',
        });
        const settled = await waitForRun(this.#kernel, workspaceId, run.id, {
          timeoutMs: this.#waitTimeoutMs,
          signal: extra.signal,
        });
        return answerOf(settled);
      },
    );
    this.#agentTools.set(name, { tool, description });
  }

  #registerSearchMemory(): void {
    this.server.registerTool(
      'search_memory',
      {
        title: 'Search memory',
        description:
          "Search the workspace's and your own memories (facts, decisions, preferences, episodes).",
        inputSchema: {
          query: z.string().min(1).max(2_000),
          limit: z.number().int().min(1).max(50).default(10),
        },
      },
      async ({ query, limit }) => {
        const { workspaceId, userId } = this.#caller;
        const scopes: ScopeRef[] = [{ scope: 'workspace', scopeId: workspaceId }];
        if (userId !== null) scopes.push({ scope: 'user', scopeId: userId });
        const hits = await searchMemories(this.#kernel.store, { workspaceId, query, scopes, limit });
        const memories = hits.map(({ memory, score }) => ({
          id: memory.id,
          kind: memory.kind,
          content: memory.content,
          scope: memory.scope,
          trust: memory.trust,
          score,
        }));
        const lines = memories.map((m) => `- [${m.kind}, ${m.trust}] ${m.content}`);
        return { ...text(lines.join('\n') || 'No memories found.'), structuredContent: { memories } };
      },
    );
  }
}
