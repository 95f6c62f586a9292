import { readModelResult } from '../../core/kernel/journal-format.ts';
import type { ContextContributor } from '../../core/kernel/kernel-plugin.ts';
import type { StepKind } from '../../core/kernel/step-kinds.ts';
import { conversationSnapshot } from './conversation-context.ts';
import { conversationSnapshotSchema, historyMessages, summaryText } from './conversation-history.ts';
import { historySources } from './history-sources.ts';

/** call_index (at turn 0) of the summary of a conversation's older messages, made before the context snapshot. */
export const CONVERSATION_SUMMARY_CALL_INDEX = -4;
export const CONVERSATION_STEP_KINDS: readonly StepKind[] = [
  {
    name: 'conversation.summary',
    callIndex: CONVERSATION_SUMMARY_CALL_INDEX,
    v1Name: 'compaction',
    readResult: readModelResult,
  },
];

/**
 * A conversation run's history as a context section (`conversation`): the stored summary and the messages
 * after it within the budget the kernel gives, folded into a new journaled summary when they outgrow it.
 * Other agents' messages come attributed by name; the replies already given to the message go after it.
 */
export const conversationContext: ContextContributor = {
  history: async ({ store, run }, { counter, budget, recorded, summarize }) => {
    if (run.input.conversation === undefined) return undefined;
    const made = recorded(CONVERSATION_SUMMARY_CALL_INDEX);
    const madeInput = made?.input as { uptoSeq?: unknown; untrusted?: unknown } | undefined;
    const replayed =
      made?.status === 'completed' && typeof madeInput?.uptoSeq === 'number'
        ? {
            uptoSeq: madeInput.uptoSeq,
            text: summaryText(readModelResult(made.result).text, budget, counter),
            ...(madeInput.untrusted === true ? { untrusted: true as const } : {}),
          }
        : undefined;
    const snapshot = await conversationSnapshot(store, run, counter, budget, {
      recorded: replayed,
      summarize: (prompt, plan) => summarize(CONVERSATION_SUMMARY_CALL_INDEX, prompt, plan),
    });
    if (snapshot === undefined || 'code' in snapshot) return snapshot;
    return { key: 'conversation', value: snapshot };
  },
  render: (snapshot, run) => {
    if (snapshot.conversation === undefined) return {};
    const conversation = conversationSnapshotSchema.parse(snapshot.conversation);
    return historyMessages(conversation, { agentId: run.agentId, userId: run.userId });
  },
  tainted: (snapshot) => {
    if (snapshot.conversation === undefined) return false;
    const { summary, messages } = conversationSnapshotSchema.parse(snapshot.conversation);
    return summary?.untrusted === true || messages.some((entry) => entry.untrusted === true);
  },
  sources: (snapshot) =>
    snapshot.conversation === undefined
      ? []
      : historySources(conversationSnapshotSchema.parse(snapshot.conversation)),
};
