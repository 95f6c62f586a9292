import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { loadSecretBox, type SecretBox } from '../../core/secrets/secret-box.ts';
import { askHumanTool } from './ask-human-tool.ts';
import { type CreatePlanDeps, createPlanTool } from './create-plan-tool.ts';
import { handOffTool } from './hand-off-tool.ts';
import { orchestrationBackground } from './orchestration-background.ts';
import { type HandOffReply, runAgentTool } from './run-agent-tool.ts';
import { withRunBudget } from './run-budget.ts';
import { scheduleTaskTool } from './schedule-task-tool.ts';

/**
 * Agents working with agents and people: ask_human, run_agent, hand_off, create_plan, schedule_task; a
 * sub-agent's run is held to its share of its parent's budget.
 */
export function orchestrationPlugin(
  config: Pick<AgentOsConfig, 'home'>,
  options: { handOffReply?: HandOffReply } = {},
): KernelPlugin {
  const { handOffReply } = options;
  return {
    name: 'orchestration',
    tools: ({ store, runs, plans, events, tools }) => {
      let box: SecretBox | undefined;
      // The secret box (and its key file) is only touched when a task is actually scheduled.
      const secretBox = (): SecretBox => {
        box ??= loadSecretBox(config.home);
        return box;
      };
      return [
        askHumanTool(),
        runAgentTool(() => ({ store, runs, events, handOffReply })),
        handOffTool(() => ({ store, runs, events, handOffReply })),
        createPlanTool((): CreatePlanDeps => ({ store, runs, plans, events, tools: tools() })),
        scheduleTaskTool(() => ({ store, box: secretBox() })),
      ];
    },
    definition: async ({ run }, def) => withRunBudget(def, run.input.budget),
    background: orchestrationBackground,
  };
}
