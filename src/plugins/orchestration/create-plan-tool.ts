import { getAgentVersionById } from '../../core/agents/agent-repo.ts';
import { nextWake } from '../../core/kernel/run-events.ts';
import { getRun } from '../../core/kernel/run-repo.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { startPlan } from './plan-control.ts';
import { invalidPlan, planDefinitionSchema, planIssues } from './plan-definition.ts';
import type { PlanExecutorDeps } from './plan-executor.ts';
import { getPlan, isPlanFinished, listPlanNodes, type PlanNodeRecord, type PlanRecord } from './plan-repo.ts';

export const CREATE_PLAN = 'create_plan';
/** What the tool needs from the kernel: the store, its controls and events, and the tools plans may call. */
export type CreatePlanDeps = PlanExecutorDeps;
const DEFAULT_WAIT_MS = 30 * 60_000;

/** Waits until the plan ends; its nodes run in any worker process, so poll as well as listen. */
async function awaitPlan(deps: PlanExecutorDeps, plan: PlanRecord, signal: AbortSignal): Promise<PlanRecord> {
  for (;;) {
    const current = await getPlan(deps.store, plan.workspaceId, plan.id);
    if (isPlanFinished(current.status)) return current;
    signal.throwIfAborted();
    await nextWake((wake) => deps.events.onPlanChanged(plan.id, wake), 250, signal);
  }
}

const nodeResult = (node: PlanNodeRecord) => ({
  id: node.nodeId,
  status: node.status,
  attempts: node.attempt,
  runId: node.runId,
  output: node.output ?? null,
  ...(node.error === null || node.status === 'succeeded' ? {} : { error: node.error.message }),
});

/**
 * "The agent defines the flow": the model writes a DAG of agent and tool steps; the kernel runs it (ready
 * steps concurrently, each agent step a journaled run) and this call returns every step's status and output.
 * An invalid plan is thrown back to the model with every problem and its path; nothing is created. The plan
 * is keyed by the call's idempotency key, so a planner re-driven after a crash finds the same plan.
 */
export function createPlanTool(
  deps: () => CreatePlanDeps,
  options: { waitTimeoutMs?: number } = {},
): ToolDefinition {
  return defineTool({
    name: CREATE_PLAN,
    description:
      'Run a plan: a graph of steps that the system executes for you, independent steps in parallel. ' +
      'Each node is an agent task (kind "agent": agent, task) or one idempotent tool call (kind "tool": tool, ' +
      'arguments), with dependsOn (ids of nodes that must end first). A task may use a dependency’s output as ' +
      '{{nodes.<id>.output}}. Optional per node: when {node, status} to run only if that dependency succeeded or ' +
      'failed, retry {maxAttempts, backoffMs}, timeoutMs, fallbackAgent. Returns each node’s status and output.',
    inputSchema: planDefinitionSchema,
    idempotent: true,
    stakes: 'medium',
    effect: 'write',
    timeoutMs: options.waitTimeoutMs ?? DEFAULT_WAIT_MS,
    execute: async (input, context) => {
      const issues = planIssues(input);
      if (issues.length > 0) throw invalidPlan(issues);
      const kernel = deps();
      const planner = await getRun(kernel.store, context.workspaceId, context.runId);
      const agent = await getAgentVersionById(kernel.store, planner.agentId, planner.agentVersion);
      const plan = await startPlan(kernel, {
        workspaceId: context.workspaceId,
        userId: context.userId,
        parentRunId: context.runId,
        definition: input,
        idempotencyKey: context.idempotencyKey,
        grantedTools: agent.definition.tools,
      });
      const ended = await awaitPlan(kernel, plan, context.signal);
      const nodes = await listPlanNodes(kernel.store, ended);
      return {
        planId: ended.id,
        status: ended.status,
        ...(ended.error === null ? {} : { error: ended.error.message }),
        nodes: nodes.map(nodeResult),
      };
    },
  });
}
