import type { ChatMessage } from '../../core/kernel/messages.ts';
import type { RunError, RunRecord } from '../../core/kernel/run-record.ts';
import type { TokenCounter } from '../../core/kernel/token-counter.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import {
  type ConversationSnapshot,
  latestSummary,
  loadHistory,
  planHistory,
  type StoredSummary,
  storeSummary,
  summaryPrompt,
  summaryText,
} from './conversation-history.ts';
import { withHandOffs } from './planned-replies.ts';

/** How the run makes (and journals) the summary call; `recorded` is that call's result on a replay. */
export interface Summarizer {
  recorded: StoredSummary | undefined;
  summarize(
    prompt: ChatMessage[],
    plan: { uptoSeq: number; baseSeq: number | null; untrusted?: true },
  ): Promise<string | RunError>;
}

/**
 * The history a conversation run starts from, within `budgetTokens`: the stored summary and the messages
 * after it; when they outgrow the budget, the oldest are folded into a new summary (one journaled model
 * call) that is stored with the conversation for the later messages' runs.
 */
export async function conversationSnapshot(
  db: SqlClient,
  run: RunRecord,
  counter: TokenCounter,
  budgetTokens: number,
  summarizer: Summarizer,
): Promise<ConversationSnapshot | RunError | undefined> {
  const input = run.input.conversation;
  if (input === undefined) return undefined;
  const ref = { ...input, after: await withHandOffs(db, input.id, input.seq, input.after) };
  const head = { seq: ref.seq, ...(ref.handedOffBy === undefined ? {} : { handedOff: true as const }) };
  const self = { agentId: run.agentId, userId: run.userId };
  const summary = summarizer.recorded ?? (await latestSummary(db, ref.id, ref.seq));
  const entries = await loadHistory(db, ref, summary?.uptoSeq ?? 0, self);
  const plan = planHistory(counter, budgetTokens, ref.seq, summary, entries, self);
  if (plan.kind === 'fits') return { ...head, summary: plan.summary, messages: plan.messages };
  if (summarizer.recorded !== undefined) {
    // A replay after the summary call: the journaled summary stands, as the original attempt used it.
    await storeSummary(db, { conversationId: ref.id, ...summarizer.recorded, runId: run.id });
    return { ...head, summary: summarizer.recorded, messages: plan.kept };
  }
  // A summary of untrusted messages is untrusted: it may repeat what they said.
  const untrusted = plan.base?.untrusted === true || plan.compacted.some((entry) => entry.untrusted === true);
  const text = await summarizer.summarize(summaryPrompt(plan.base, plan.compacted), {
    uptoSeq: plan.uptoSeq,
    baseSeq: plan.base?.uptoSeq ?? null,
    ...(untrusted ? { untrusted: true } : {}),
  });
  if (typeof text !== 'string') return text;
  const made = {
    uptoSeq: plan.uptoSeq,
    text: summaryText(text, budgetTokens, counter),
    ...(untrusted ? { untrusted: true as const } : {}),
  };
  await storeSummary(db, { conversationId: ref.id, ...made, runId: run.id });
  return { ...head, summary: made, messages: plan.kept };
}
