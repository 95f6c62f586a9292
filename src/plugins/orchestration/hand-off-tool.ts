import { z } from 'zod';
import { handoffSchema } from '../../core/kernel/handoff.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { DEFAULT_MAX_DEPTH, type RunAgentDeps, startChildRun } from './run-agent-tool.ts';

export const HAND_OFF = 'hand_off';

const handOffInput = z.strictObject({
  agent: z.string().min(1).max(200),
  task: z.string().min(1).max(200_000),
  handoff: handoffSchema,
});

/**
 * A handoff proper: control passes to another agent. The other agent's run starts with the structured
 * handoff (stored as a `handoff` memory, given as `input.handoff`), linked in the run tree as this run's
 * child, and this run ends at once (`endsRun`) with a pointer to it — unlike `run_agent`, nobody waits.
 * Keyed by the call's idempotency key, so a crash between the call and the end starts no second run.
 * Inside a conversation the other agent answers in the same thread: its reply is the next message of the
 * conversation, written by its own run, and it sees the history the handing agent saw.
 */
export function handOffTool(deps: () => RunAgentDeps): ToolDefinition {
  return defineTool({
    name: HAND_OFF,
    description:
      'Pass the rest of this task to another agent of this workspace and stop. Give the agent name, the task as it ' +
      'should continue, and a handoff: the goal, what is done, decisions taken, open questions, artefacts with ids.',
    inputSchema: handOffInput,
    idempotent: true,
    stakes: 'medium',
    effect: 'write',
    trustedOutput: true,
    endsRun: true,
    execute: async (input, context) => {
      const { child, stored, agentName } = await startChildRun(deps(), input, context, {
        maxDepth: DEFAULT_MAX_DEPTH,
        priority: 'standard',
        continueConversation: true,
      });
      return {
        answer: `Handed off to ${agentName} (run ${child.id}).`,
        runId: child.id,
        agent: agentName,
        handoffId: stored?.id ?? null,
      };
    },
  });
}
