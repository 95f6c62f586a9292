import { z } from 'zod';
import { getAgent, getAgentVersionById } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent } from '../../core/agents/agent-visibility.ts';
import { type Handoff, handoffSchema } from '../../core/kernel/handoff.ts';
import type { Priority } from '../../core/kernel/model-gateway.ts';
import type { RunControl } from '../../core/kernel/run-control.ts';
import { type KernelEvents, nextWake } from '../../core/kernel/run-events.ts';
import { isTerminal, type RunRecord } from '../../core/kernel/run-record.ts';
import { createRun, getRun } from '../../core/kernel/run-repo.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { defineTool, type ToolCallContext, type ToolDefinition } from '../../core/tools/tool.ts';
import { storeHandoff } from '../memory/handoff-memory.ts';
import type { MemoryRecord } from '../memory/memory-record.ts';
import { remainingBudget, withRunBudget } from './run-budget.ts';

export const RUN_AGENT = 'run_agent';
export const DEFAULT_MAX_DEPTH = 3;
const DEFAULT_WAIT_MS = 30 * 60_000;

/** Records, in the conversation, that the agent handed to answers the message next (conversations/). */
export type HandOffReply = (
  store: Store,
  conversationId: string,
  seq: number,
  reply: { agentId: string; agentName: string; runId: string; handedOffBy: string },
) => Promise<void>;

/** What starting and awaiting a child run needs: the store, the run control to wake workers, the events. */
export interface RunAgentDeps {
  store: Store;
  runs: RunControl;
  events: KernelEvents;
  /** hand_off inside a conversation (the composition root wires the conversations plugin in). */
  handOffReply?: HandOffReply | undefined;
}

export interface RunAgentOptions {
  /** A run at this depth may not start another (root = 0). */
  maxDepth?: number;
  /** How long the parent's call waits for the child (the tool's timeout). */
  waitTimeoutMs?: number;
}

/** Waits until the child ends; a child paused for a person keeps its parent waiting. */
async function awaitChild(deps: RunAgentDeps, child: RunRecord, signal: AbortSignal): Promise<RunRecord> {
  for (;;) {
    const run = await getRun(deps.store, child.workspaceId, child.id);
    if (isTerminal(run.status)) return run;
    signal.throwIfAborted();
    // The child may run in another process: poll as well as listen.
    await nextWake((wake) => deps.events.onRunSettled(child.id, wake), 250, signal);
  }
}

const runAgentInput = z.strictObject({
  agent: z.string().min(1).max(200),
  task: z.string().min(1).max(200_000),
  handoff: handoffSchema
    .optional()
    .describe(
      'What the other agent needs to continue your work: goal, done, decisions, open questions, artefacts',
    ),
});

/** The turn of the call, from its idempotency key `<run>:<turn>:<call>`. */
function turnOf(idempotencyKey: string): number | undefined {
  const turn = /:(\d+):\d+$/.exec(idempotencyKey)?.[1];
  return turn === undefined ? undefined : Number(turn);
}

export interface ChildRunOptions {
  maxDepth: number;
  priority: Priority;
  /** hand_off: a parent answering in a conversation hands its message on, so the child answers in that thread. */
  continueConversation?: boolean;
}

/**
 * Starts a run of another agent for the same user, linked to the calling run: depth-limited, its budget
 * carved out of the caller's, its handoff stored as a `handoff` memory and passed as `input.handoff`.
 * Keyed by the call's idempotency key, so a caller re-driven after a crash finds the same child.
 */
export async function startChildRun(
  deps: RunAgentDeps,
  input: { agent: string; task: string; handoff?: Handoff | undefined },
  context: ToolCallContext,
  options: ChildRunOptions,
): Promise<{ child: RunRecord; stored: MemoryRecord | undefined; agentName: string }> {
  const { store } = deps;
  const { maxDepth } = options;
  const parent = await getRun(store, context.workspaceId, context.runId);
  const { rows } = await store.query<{ depth: number }>('SELECT depth FROM runs WHERE id = $1', [parent.id]);
  const depth = (rows[0]?.depth ?? 0) + 1;
  if (depth > maxDepth) {
    throw new Error(`sub-agents may nest at most ${maxDepth} deep; this run is at depth ${depth - 1}`);
  }
  const parentAgent = await getAgentVersionById(store, parent.agentId, parent.agentVersion);
  const budget = remainingBudget(withRunBudget(parentAgent.definition, parent.input.budget), parent.usage);
  if (budget !== undefined && (budget.maxTokens === 0 || budget.maxCostUsd === 0)) {
    throw new Error('no budget left to give a sub-agent');
  }
  const agent = await getAgent(store, context.workspaceId, input.agent);
  // A sub-agent runs for the same user: it must be one that user may run.
  await assertUserSeesAgent(store, agent, context.userId);
  // Stored before the child exists, so the child can already recall it.
  const stored =
    input.handoff === undefined
      ? undefined
      : await storeHandoff(store, {
          workspaceId: context.workspaceId,
          userId: context.userId,
          fromAgentId: parentAgent.id,
          fromAgentName: parentAgent.name,
          toAgentId: agent.id,
          toAgentName: agent.name,
          runId: parent.id,
          step: turnOf(context.idempotencyKey),
          requestKey: context.idempotencyKey,
          // A run fed outside content from its start cannot vouch for what it hands over.
          trust: parent.input.untrusted === true ? 'untrusted' : 'trusted',
          handoff: input.handoff,
        });
  const thread = options.continueConversation === true ? parent.input.conversation : undefined;
  const child = await createRun(store, {
    workspaceId: context.workspaceId,
    agentId: agent.id,
    agentVersion: agent.version,
    userId: context.userId,
    // The child's budget is carved out of what the parent has left.
    input: {
      task: input.task,
      ...(budget === undefined ? {} : { budget }),
      ...(input.handoff === undefined ? {} : { handoff: input.handoff }),
      // It answers the parent's message after the same replies; the parent's own (a pointer) it need not see.
      ...(thread === undefined ? {} : { conversation: { ...thread, handedOffBy: parent.id } }),
    },
    priority: thread === undefined ? options.priority : parent.priority,
    idempotencyKey: context.idempotencyKey,
    parentRunId: context.runId,
    depth,
    conversationId: thread?.id,
  });
  if (thread !== undefined) {
    if (deps.handOffReply === undefined)
      throw new Error('this process cannot hand off inside a conversation');
    await deps.handOffReply(store, thread.id, thread.seq, {
      agentId: agent.id,
      agentName: agent.name,
      runId: child.id,
      handedOffBy: parent.id,
    });
  }
  deps.runs.queued();
  return { child, stored, agentName: agent.name };
}

/**
 * A sub-agent as a tool: starts a child run of another agent of the workspace for the same user and
 * returns its answer. The child's idempotency key is the parent call's key, so a parent re-driven after a
 * crash finds the same child instead of starting a second one. A handoff goes to the child as
 * `input.handoff` and is stored as a `handoff` memory, once per call (keyed by the call's key).
 */
export function runAgentTool(deps: () => RunAgentDeps, options: RunAgentOptions = {}): ToolDefinition {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  return defineTool({
    name: RUN_AGENT,
    description:
      'Delegate a task to another agent of this workspace and wait for its answer. Input: the agent name, the task, ' +
      'and when you have already worked on it a handoff (goal, what is done, decisions taken, open questions, ' +
      'artefacts with their ids) so the other agent continues without repeating your work.',
    inputSchema: runAgentInput,
    idempotent: true,
    stakes: 'medium',
    effect: 'write',
    timeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_MS,
    execute: async (input, context) => {
      const { store, runs, events } = deps();
      const { child, stored } = await startChildRun({ store, runs, events }, input, context, {
        maxDepth,
        // Claimed before queued standard work, so waiting parents free their slots sooner.
        priority: 'interactive',
      });
      const ended = await awaitChild({ store, runs, events }, child, context.signal);
      if (ended.status === 'succeeded') {
        return {
          runId: ended.id,
          agent: input.agent,
          answer: ended.output?.text ?? '',
          ...(stored === undefined ? {} : { handoffId: stored.id }),
        };
      }
      const why = ended.error === null ? '' : `: ${ended.error.message}`;
      throw new Error(`sub-agent run ${ended.id} (${input.agent}) ended ${ended.status}${why}`);
    },
  });
}
