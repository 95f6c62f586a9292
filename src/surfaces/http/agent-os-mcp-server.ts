import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentRecord } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent, listVisibleAgents } from '../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import { getRunById } from '../../core/kernel/run-repo.ts';
import type { ReplyView } from '../../plugins/conversations/conversation-replies.ts';
import { createConversation } from '../../plugins/conversations/conversation-repo.ts';
import { awaitReplies, type Poster, postAsMember } from '../../plugins/conversations/member-posting.ts';
import type { ScopeRef } from '../../plugins/memory/memory-record.ts';
import { searchMemories } from '../../plugins/memory/memory-search.ts';
import { resolveAgentSkills } from '../../plugins/skills/skill-resolution.ts';

/**
 * Whom the MCP client acts as: an API key's principal (with its request's policy gate), or the member
 * `agentos mcp` was started for (the local operator's process: no gate of its own).
 */
export interface McpCaller {
  workspaceId: string;
  userId: string;
  /** Refuses an agent the caller may not start, and a caller who may not post in conversations. */
  mayStart?: ((agent: AgentRecord) => Promise<void>) | undefined;
  mayPost?: (() => Promise<void>) | undefined;
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

/** The addressed agent's reply, or the last of the agents it handed off to: who answered the call. */
function answeringRun(first: string | undefined, replies: readonly ReplyView[]): string | undefined {
  let answering = first;
  for (const reply of replies) {
    if (reply.handedOffBy !== null && reply.handedOffBy === answering) answering = reply.runId;
  }
  return answering;
}

function answerOf(run: RunRecord, conversationId: string, replies: readonly ReplyView[]): CallToolResult {
  const structured = {
    conversationId,
    runId: run.id,
    status: run.status,
    answer: run.output?.text ?? null,
    replies: replies.map((reply) => ({
      agent: reply.agent,
      runId: reply.runId,
      status: reply.status,
      content: reply.content,
    })),
  };
  if (run.status === 'succeeded') return { ...text(run.output?.text ?? ''), structuredContent: structured };
  const why =
    run.status === 'paused'
      ? `paused (${run.pause?.reason ?? 'unknown'}): ${run.pause?.message ?? ''}`
      : run.status === 'queued' || run.status === 'running'
        ? `still ${run.status}; follow it with GET /api/conversations/${conversationId}`
        : `${run.status}: ${run.error?.message ?? ''}`;
  return { ...text(`Run ${run.id} ${why}`, true), structuredContent: structured };
}

/**
 * Agent OS as an MCP server: every agent of the caller's workspace is a tool `agent_<name>`
 * ({task, conversationId?}), plus `search_memory`. A call is a message to that agent in a conversation of
 * the caller's — the one named, or a new one whose id the result carries so the next call can continue it.
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
        inputSchema: {
          task: z.string().min(1).max(200_000).describe('What the agent should do'),
          conversationId: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe('Continue this conversation (from an earlier result); without it a new one starts'),
        },
      },
      async ({ task, conversationId }, extra) => {
        await this.#caller.mayPost?.();
        const id = conversationId ?? (await this.#newConversation(agent));
        const posted = await postAsMember(this.#kernel, this.#poster(), id, {
          content: task,
          mentions: [agent.name],
          signal: extra.signal,
        });
        const replies = await awaitReplies(this.#kernel, id, posted.message.id, {
          timeoutMs: this.#waitTimeoutMs,
          signal: extra.signal,
        });
        const answering = answeringRun(posted.planned[0]?.runId, replies);
        const run = answering === undefined ? undefined : await getRunById(this.#kernel.store, answering);
        if (run === undefined)
          throw new AgentOsError('internal', `The message ${posted.message.id} has no reply`);
        return answerOf(run, id, replies);
      },
    );
    this.#agentTools.set(name, { tool, description });
  }

  #poster(): Poster {
    const { workspaceId, userId, mayStart } = this.#caller;
    return { workspaceId, userId, mayStart: mayStart ?? (async () => {}) };
  }

  /** A conversation of the caller's for a first call; checked first, so a refused call leaves none behind. */
  async #newConversation(agent: AgentRecord): Promise<string> {
    const { workspaceId, userId } = this.#caller;
    await assertUserSeesAgent(this.#kernel.store, agent, userId);
    await this.#poster().mayStart(agent);
    await resolveAgentSkills(this.#kernel.store, agent, userId);
    return (await createConversation(this.#kernel.store, { workspaceId, ownerId: userId })).id;
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
