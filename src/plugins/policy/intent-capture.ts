import type { ContextContributor } from '../../core/kernel/kernel-plugin.ts';
import { loadPolicy } from './policy-settings.ts';
import {
  groundIntent,
  INTENT_CALL_INDEX,
  INTENT_EVENT,
  intentPrompt,
  intentTools,
  type RunIntent,
} from './run-intent.ts';

/**
 * The policy's part of a run's starting context: when the workspace captures intent, one journaled model
 * call reads the task alone and its grounded answer is the snapshot's `intent` (`run-intent.ts`). Not for a
 * task that is outside content (a webhook's payload) or was written by another agent's model (a sub-agent, a
 * hand-off): those are not a person's words. Nothing is added to the prompt.
 */
export const intentCapture: ContextContributor = {
  derive: async ({ store, run }, { tools, ask }) => {
    if (run.input.untrusted === true || run.input.handoff !== undefined) return {};
    if (run.input.conversation?.handedOffBy !== undefined) return {};
    const policy = await loadPolicy(store, run.workspaceId);
    if (!policy.settings.enabled || policy.settings.intent !== 'task') return {};
    const offered = intentTools(tools);
    if (offered.length === 0) return {};
    const { rows } = await store.query<{ parent_run_id: string | null }>(
      'SELECT parent_run_id FROM runs WHERE id = $1',
      [run.id],
    );
    if ((rows[0]?.parent_run_id ?? null) !== null) return {};
    const answer = await ask(
      INTENT_CALL_INDEX,
      intentPrompt(run.input.task, offered),
      { tools: offered.map((tool) => tool.name) },
      INTENT_EVENT,
    );
    const intent: RunIntent =
      typeof answer === 'string'
        ? groundIntent(answer, run.input.task, offered)
        : { v: 1, actions: [], dropped: [], problem: `the intent call failed: ${answer.message}` };
    return { intent };
  },
  render: () => ({}),
};
