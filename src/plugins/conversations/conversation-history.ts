import { z } from 'zod';
import type { ChatMessage } from '../../core/kernel/messages.ts';
import type { TokenCounter } from '../../core/kernel/token-counter.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { withAttachmentNote } from './message-attachments.ts';

/**
 * A conversation as short-term memory of the run answering in it: the messages before the one it answers
 * (and the replies to that message by agents answering before it), led by the summary of older turns.
 * Only message contents are kept — never earlier runs' tool calls and results. Journaled in the run's
 * context snapshot, so a replay sends the same prompt whatever was posted since.
 */
export const historyEntrySchema = z.object({
  seq: z.number().int(),
  kind: z.enum(['user', 'agent']),
  authorId: z.string(),
  name: z.string(),
  content: z.string(),
  /** Not the answering run's principal: another person's message, or a reply written after untrusted content. */
  untrusted: z.literal(true).optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const conversationSnapshotSchema = z.object({
  /** The seq of the message the run answers. */
  seq: z.number().int(),
  summary: z
    .object({ uptoSeq: z.number().int(), text: z.string(), untrusted: z.literal(true).optional() })
    .nullable(),
  messages: z.array(historyEntrySchema),
  /** A run handed the message by another agent (hand_off): the message and its replies so far come before its task. */
  handedOff: z.literal(true).optional(),
});
export type ConversationSnapshot = z.infer<typeof conversationSnapshotSchema>;

export interface ConversationRef {
  id: string;
  seq: number;
  after: readonly string[];
  /** Set on the run of an agent handed the message (hand_off): it sees the message itself in its history. */
  handedOffBy?: string | undefined;
}

export interface StoredSummary {
  uptoSeq: number;
  text: string;
  /** It folds in an untrusted message (or an untrusted summary before it). */
  untrusted?: true;
}

/** The newest summary a run answering message `seq` may use: one of messages before it only. */
export async function latestSummary(
  db: SqlClient,
  conversationId: string,
  seq: number,
): Promise<StoredSummary | null> {
  const { rows } = await db.query<{ upto_seq: number; content: string; untrusted: boolean }>(
    `SELECT upto_seq, content, untrusted FROM conversation_summaries
     WHERE conversation_id = $1 AND upto_seq < $2 ORDER BY upto_seq DESC LIMIT 1`,
    [conversationId, seq],
  );
  const row = rows[0];
  if (row === undefined) return null;
  return { uptoSeq: Number(row.upto_seq), text: row.content, ...(row.untrusted ? { untrusted: true } : {}) };
}

interface CachedEntry extends HistoryEntry {
  runId: string | null;
  usable: boolean;
}

/**
 * Messages never change once written, and a seq commits only after every smaller one (the counter row's
 * lock), so each process keeps a conversation's messages and reads only the ones after the newest it holds.
 */
const cache = new Map<string, CachedEntry[]>();
const CACHED_CONVERSATIONS = 500;

async function cachedMessages(db: SqlClient, conversationId: string): Promise<CachedEntry[]> {
  const known = cache.get(conversationId) ?? [];
  const { rows } = await db.query<{
    seq: number;
    role: 'user' | 'agent';
    author_id: string;
    name: string | null;
    content: string;
    attachments: unknown[];
    run_id: string | null;
    status: string | null;
    untrusted: boolean;
  }>(
    `SELECT m.seq, m.role, COALESCE(m.user_id, m.agent_id) AS author_id,
       COALESCE(u.name, a.name) AS name, m.content, m.attachments, m.run_id, m.status, m.untrusted
     FROM conversation_messages m
     LEFT JOIN users u ON u.id = m.user_id
     LEFT JOIN agents a ON a.id = m.agent_id
     WHERE m.conversation_id = $1 AND m.seq > $2
     ORDER BY m.seq`,
    [conversationId, known.at(-1)?.seq ?? 0],
  );
  const entries =
    rows.length === 0
      ? known
      : [
          ...known,
          ...rows.map((row) => ({
            seq: Number(row.seq),
            kind: row.role,
            authorId: row.author_id,
            name: row.name ?? row.author_id,
            content: withAttachmentNote(row.content, row.attachments),
            ...(row.untrusted ? { untrusted: true as const } : {}),
            runId: row.run_id,
            // A failed reply says nothing worth remembering.
            usable: row.role === 'user' || row.status === 'succeeded',
          })),
        ];
  cache.delete(conversationId);
  cache.set(conversationId, entries);
  if (cache.size > CACHED_CONVERSATIONS) cache.delete(cache.keys().next().value as string);
  return entries;
}

/**
 * Messages after `fromSeq` and before the answered one (and the answered one, for an agent handed it), plus
 * the earlier replies to it; failed replies left out. Messages of people other than `self`'s user are
 * untrusted for its run, as are replies written after untrusted content.
 */
export async function loadHistory(
  db: SqlClient,
  ref: ConversationRef,
  fromSeq: number,
  self: Speaker,
): Promise<HistoryEntry[]> {
  const after = new Set(ref.after);
  const lastSeq = ref.handedOffBy === undefined ? ref.seq - 1 : ref.seq;
  const history: HistoryEntry[] = [];
  for (const entry of await cachedMessages(db, ref.id)) {
    if (!entry.usable) continue;
    if ((entry.seq > fromSeq && entry.seq <= lastSeq) || (entry.runId !== null && after.has(entry.runId))) {
      history.push({
        seq: entry.seq,
        kind: entry.kind,
        authorId: entry.authorId,
        name: entry.name,
        content: entry.content,
        ...(entry.untrusted === true || (entry.kind === 'user' && entry.authorId !== self.userId)
          ? { untrusted: true as const }
          : {}),
      });
    }
  }
  return history;
}

export async function storeSummary(
  db: SqlClient,
  summary: StoredSummary & { conversationId: string; runId: string },
): Promise<void> {
  // Two runs may compact the same turns at once: the first summary stands, each run keeps its journaled own.
  await db.query(
    `INSERT INTO conversation_summaries (conversation_id, upto_seq, content, run_id, untrusted)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id, upto_seq) DO NOTHING`,
    [summary.conversationId, summary.uptoSeq, summary.text, summary.runId, summary.untrusted === true],
  );
}

export interface Speaker {
  agentId: string;
  userId: string | null;
}

export const SUMMARY_TITLE = 'Summary of the earlier conversation';

/** One history entry as the answering agent reads it: its own replies as its turns, everyone else by name. */
export function renderEntry(entry: HistoryEntry, self: Speaker): ChatMessage {
  if (entry.kind === 'agent') {
    if (entry.authorId === self.agentId) return { role: 'assistant', text: entry.content, toolCalls: [] };
    return { role: 'user', content: `[${entry.name} (agent)]: ${entry.content}` };
  }
  if (entry.authorId === self.userId) return { role: 'user', content: entry.content };
  return { role: 'user', content: `[${entry.name}]: ${entry.content}` };
}

export const renderSummary = (summary: Pick<StoredSummary, 'uptoSeq' | 'text'>): ChatMessage => ({
  role: 'system',
  content: `${SUMMARY_TITLE} (messages up to #${summary.uptoSeq}):\n${summary.text}`,
});

/**
 * The history before the answered message, then (after it, see preambleMessages) the replies to it; an agent
 * handed the message has all of it before its task.
 */
export function historyMessages(
  snapshot: ConversationSnapshot,
  self: Speaker,
): { before: ChatMessage[]; after: ChatMessage[] } {
  const before: ChatMessage[] = snapshot.summary === null ? [] : [renderSummary(snapshot.summary)];
  const after: ChatMessage[] = [];
  for (const entry of snapshot.messages) {
    const earlier = entry.seq < snapshot.seq || snapshot.handedOff === true;
    (earlier ? before : after).push(renderEntry(entry, self));
  }
  return { before, after };
}

/** Shares of the history budget: what one message may take, what a summary may take, what compaction keeps. */
const ENTRY_SHARE = 0.2;
const SUMMARY_SHARE = 0.2;
const KEEP_SHARE = 0.5;

/** A deterministic cut to about `tokens` (conservatively 3 characters per token). */
export function clip(text: string, tokens: number, counter: TokenCounter): string {
  // Every token is at least one character: a short text needs no counting.
  if (text.length <= tokens || counter.text(text) <= tokens) return text;
  return `${text.slice(0, Math.max(0, Math.floor(tokens * 3) - 12))} [truncated]`;
}

export type HistoryPlan =
  | { kind: 'fits'; summary: StoredSummary | null; messages: HistoryEntry[] }
  | {
      kind: 'compact';
      /** Folded into the new summary: the previous summary and the oldest messages. */
      base: StoredSummary | null;
      compacted: HistoryEntry[];
      uptoSeq: number;
      kept: HistoryEntry[];
    };

/**
 * Whether the history fits its budget; if not, which oldest messages (with the previous summary) to fold
 * into a new summary so that the rest fits with room to grow — one compaction serves many later messages.
 * Linear in the number of messages.
 */
export function planHistory(
  counter: TokenCounter,
  budgetTokens: number,
  answeredSeq: number,
  summary: StoredSummary | null,
  entries: readonly HistoryEntry[],
  self: Speaker,
): HistoryPlan {
  const entryCap = Math.floor(budgetTokens * ENTRY_SHARE);
  const clipped = entries.map((entry) => ({ ...entry, content: clip(entry.content, entryCap, counter) }));
  const tokens = clipped.map((entry) => counter.message(renderEntry(entry, self)));
  const summaryTokens = summary === null ? 0 : counter.message(renderSummary(summary));
  const total = tokens.reduce((sum, n) => sum + n, summaryTokens);
  if (total <= budgetTokens) return { kind: 'fits', summary, messages: clipped };
  // Keep the newest messages within the keep share (the replies to the answered message always).
  const keepBudget = Math.floor(budgetTokens * KEEP_SHARE);
  let kept = 0;
  let cut = clipped.length;
  for (let i = clipped.length - 1; i >= 0; i--) {
    const entry = clipped[i]!;
    if (entry.seq < answeredSeq && kept + tokens[i]! > keepBudget) break;
    kept += tokens[i]!;
    cut = i;
  }
  const compacted = clipped.slice(0, cut);
  if (compacted.length === 0) return { kind: 'fits', summary, messages: clipped };
  return {
    kind: 'compact',
    base: summary,
    compacted,
    uptoSeq: compacted.at(-1)!.seq,
    kept: clipped.slice(cut),
  };
}

export const SUMMARY_INSTRUCTIONS = [
  'You compress the earlier part of a conversation between people and agents so it can continue within',
  'its context budget. Merge the previous summary (if any) with the new messages into one concise plain-text',
  'summary: who said what that matters, facts (names, numbers, dates, ids exactly), decisions, open questions,',
  'commitments. Keep facts about the people, such as their names and preferences. Add nothing that is not there.',
].join(' ');

export function summaryPrompt(base: StoredSummary | null, compacted: readonly HistoryEntry[]): ChatMessage[] {
  const lines = compacted.map(
    (entry) => `#${entry.seq} ${entry.name}${entry.kind === 'agent' ? ' (agent)' : ''}: ${entry.content}`,
  );
  return [
    { role: 'system', content: SUMMARY_INSTRUCTIONS },
    {
      role: 'user',
      content: `${base === null ? '' : `Previous summary (messages up to #${base.uptoSeq}):\n${base.text}\n\n`}New messages:\n${lines.join('\n')}`,
    },
  ];
}

/** The new summary as stored: held to its share of the budget whatever the model wrote. */
export const summaryText = (text: string, budgetTokens: number, counter: TokenCounter): string =>
  clip(text.trim(), Math.floor(budgetTokens * SUMMARY_SHARE), counter);
