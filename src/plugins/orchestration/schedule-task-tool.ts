import { z } from 'zod';
import type { SecretBox } from '../../core/secrets/secret-box.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { nextFireAt } from './orchestration-ticker.ts';
import { visibleAgent } from './trigger-access.ts';
import { createTrigger } from './trigger-repo.ts';

export const SCHEDULE_TASK = 'schedule_task';

const scheduleTaskInput = z.strictObject({
  /** A cron expression (croner syntax, UTC), e.g. "0 9 * * 1-5" for 09:00 on weekdays. */
  schedule: z.string().min(1).max(200),
  task: z.string().min(1).max(20_000),
  /** Which agent runs it; this agent when absent. */
  agent: z.string().min(1).max(200).optional(),
  dailyLimit: z.number().int().min(1).max(1_440).default(24),
  /** IANA time zone the schedule is read in. */
  timezone: z.string().min(1).max(100).default('UTC'),
});

/**
 * Schedules a task as a cron trigger owned by the run's user, so each firing runs with that user's
 * rights. Not idempotent: a crash mid-call pauses the run for a person instead of scheduling twice.
 */
export function scheduleTaskTool(deps: () => { store: Store; box: SecretBox }): ToolDefinition {
  return defineTool({
    name: SCHEDULE_TASK,
    description:
      'Schedule a task to run later or repeatedly, on a cron schedule in UTC (e.g. "0 9 * * 1-5"). The task runs as a new run on behalf of the current user.',
    inputSchema: scheduleTaskInput,
    idempotent: false,
    stakes: 'medium',
    effect: 'write',
    trustedOutput: true,
    execute: async (input, context) => {
      if (context.userId === null) throw new Error('a run without a user cannot schedule tasks');
      const { store, box } = deps();
      // The run's user becomes the trigger's owner: they must see the agent it names, like any trigger's creator.
      const agent = await visibleAgent(
        store,
        context.workspaceId,
        context.userId,
        input.agent ?? context.agentId,
      );
      const firstAt = nextFireAt(input.schedule, new Date(), input.timezone);
      const { trigger } = await createTrigger(store, box, {
        workspaceId: context.workspaceId,
        agentId: agent.id,
        ownerUserId: context.userId,
        filter: null,
        dailyLimit: input.dailyLimit,
        cron: {
          schedule: input.schedule,
          task: input.task,
          nextFireAt: firstAt,
          timezone: input.timezone,
          missed: 'run_once',
        },
      });
      return {
        triggerId: trigger.id,
        agent: agent.name,
        schedule: input.schedule,
        timezone: input.timezone,
        nextFireAt: firstAt.toISOString(),
      };
    },
  });
}
