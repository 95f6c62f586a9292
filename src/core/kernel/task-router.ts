import { z } from 'zod';
import type { AgentRecord } from '../agents/agent-repo.ts';
import { listVisibleAgents } from '../agents/agent-visibility.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { Kernel } from './kernel.ts';
import type { ChatMessage } from './messages.ts';

export interface RouteChoice {
  agent: string;
  reason: string;
  /** The router model, or null when the task named its agent. */
  model: string | null;
}

const choiceSchema = z.object({ agent: z.string(), reason: z.string().default('') });

/** `@name` anywhere in the task sends it straight to that agent. */
function namedAgent(task: string, agents: readonly AgentRecord[]): AgentRecord | undefined {
  const named = agents.filter((agent) => new RegExp(`(^|\\s)@${agent.name}\\b`).test(task));
  return named.length === 1 ? named[0] : undefined;
}

function instructions(agents: readonly AgentRecord[]): string {
  const list = agents.map((agent) => `- ${agent.name}: ${agent.definition.description}`).join('\n');
  return `You route tasks to agents. The agents:\n${list}\n\nAnswer with JSON only: {"agent": "<name>", "reason": "<one sentence>"}`;
}

function parseChoice(text: string, agents: readonly AgentRecord[]): { agent: string; reason: string } {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  let raw: unknown;
  try {
    raw = json === undefined ? undefined : JSON.parse(json);
  } catch {
    raw = undefined;
  }
  const parsed = choiceSchema.safeParse(raw);
  if (!parsed.success || !agents.some((agent) => agent.name === parsed.data.agent)) {
    throw new AgentOsError('request.invalid', 'The router could not pick an agent for this task: name one');
  }
  return parsed.data;
}

/**
 * Picks the agent for a task submitted without one: a task naming an agent (`@name`) goes straight there,
 * otherwise one model call through the kernel's gateway chooses among the workspace's agents by description.
 */
export async function routeTask(
  kernel: Kernel,
  workspaceId: string,
  task: string,
  signal: AbortSignal,
  userId: string | null = null,
): Promise<RouteChoice> {
  // Only among the agents this user may run.
  const agents = await listVisibleAgents(kernel.store, workspaceId, userId);
  const first = agents[0];
  if (first === undefined)
    throw new AgentOsError('request.invalid', 'This workspace has no agents to route to');
  const named = namedAgent(task, agents);
  if (named !== undefined) return { agent: named.name, reason: `the task names @${named.name}`, model: null };
  if (agents.length === 1)
    return { agent: first.name, reason: 'the only agent of the workspace', model: null };
  const model = kernel.config.orchestration?.routerModel ?? first.definition.model;
  const messages: ChatMessage[] = [
    { role: 'system', content: instructions(agents) },
    { role: 'user', content: task },
  ];
  const result = await kernel.gateway.call(
    { model, messages, tools: [], priority: 'interactive', workspaceId, agentId: 'router', runId: 'router' },
    { signal },
  );
  return { ...parseChoice(result.text, agents), model };
}
