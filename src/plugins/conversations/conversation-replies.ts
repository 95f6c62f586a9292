import { type AgentRecord, getAgent } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent, userSeesAgent } from '../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import { appendRunEvent } from '../../core/kernel/run-events.ts';
import { isTerminal, type RunRecord } from '../../core/kernel/run-record.ts';
import { getRunById } from '../../core/kernel/run-repo.ts';
import { routeTask } from '../../core/kernel/task-router.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { conversationChanged } from './conversation-events.ts';
import type { Conversation, ConversationMessage, PlannedReply } from './conversation-record.ts';
import {
  appendAgentMessage,
  appendUserMessage,
  listMessages,
  messagesWithPendingReplies,
} from './conversation-repo.ts';
import { type MessageAttachment, withAttachmentNote } from './message-attachments.ts';
import { setPlannedReplies } from './planned-replies.ts';

/** `@name` in the text, in order of appearance (a word that names no agent is just a word). */
export function textMentions(content: string): string[] {
  return [...content.matchAll(/(?:^|\s)@([a-z0-9][a-z0-9_-]*)/gi)].map((match) => match[1]!);
}

/**
 * Who answers a message: each mentioned agent in the order mentioned (`mentions` first, then `@name` in the
 * text); with no mention the agent that answered last; in a new conversation, the task router's choice.
 * An explicitly mentioned agent the author may not see is reported like a missing one.
 */
export async function chooseResponders(
  kernel: Kernel,
  conversation: Conversation,
  author: string,
  content: string,
  mentions: readonly string[],
  signal: AbortSignal,
): Promise<{ agents: AgentRecord[]; routed: { reason: string; model: string | null } | undefined }> {
  const { workspaceId } = conversation;
  const agents: AgentRecord[] = [];
  const add = (agent: AgentRecord) => {
    if (!agents.some((known) => known.id === agent.id)) agents.push(agent);
  };
  for (const name of mentions) {
    const agent = await getAgent(kernel.store, workspaceId, name);
    await assertUserSeesAgent(kernel.store, agent, author);
    add(agent);
  }
  for (const name of textMentions(content)) {
    const agent = await getAgent(kernel.store, workspaceId, name).catch(() => undefined);
    if (agent === undefined) continue;
    await assertUserSeesAgent(kernel.store, agent, author);
    add(agent);
  }
  if (agents.length > 0) return { agents, routed: undefined };
  if (conversation.lastAgentId !== null) {
    const last = await getAgent(kernel.store, workspaceId, conversation.lastAgentId).catch(() => undefined);
    if (last !== undefined && (await userSeesAgent(kernel.store, last, author)))
      return { agents: [last], routed: undefined };
  }
  const choice = await routeTask(kernel, workspaceId, content, signal, author);
  const routed = await getAgent(kernel.store, workspaceId, choice.agent);
  return { agents: [routed], routed: { reason: choice.reason, model: choice.model } };
}

export interface PostedMessage {
  message: ConversationMessage;
  planned: PlannedReply[];
  /** The replies' runs as submitted (the first queued, the others held). */
  runs: RunRecord[];
}

/**
 * Posts a person's message and submits one run per responder, acting for the author. The first is queued at
 * once; each later one is held until the reply before it is written, so it sees that reply in its prompt.
 */
export async function postMessage(
  kernel: Kernel,
  conversation: Conversation,
  input: {
    author: string;
    content: string;
    mentions: string[];
    agents: readonly AgentRecord[];
    routed?: { reason: string; model: string | null } | undefined;
    /** Files of this conversation the message carries (conversation-files.ts attachmentsOf). */
    attachments?: readonly MessageAttachment[] | undefined;
    /** The client's key for this post (A2A's message id): its runs' idempotency keys derive from it. */
    requestKey?: string | undefined;
  },
): Promise<PostedMessage> {
  const attachments = [...(input.attachments ?? [])];
  const message = await appendUserMessage(kernel.store, {
    conversationId: conversation.id,
    userId: input.author,
    content: input.content,
    mentions: input.agents.map((agent) => agent.name),
    attachments,
  });
  const planned: PlannedReply[] = [];
  const runs: RunRecord[] = [];
  for (const [index, agent] of input.agents.entries()) {
    // The responder as chooseResponders read it is the version the run pins.
    const run = await kernel.runs.submit(
      {
        workspaceId: conversation.workspaceId,
        userId: input.author,
        agent: agent.id,
        task: withAttachmentNote(input.content, attachments),
        priority: 'interactive',
        // A retried submit finds the run it already started.
        idempotencyKey: `${input.requestKey ?? `conversation:${message.id}`}:${index}`,
        conversation: {
          id: conversation.id,
          seq: message.seq,
          after: planned.map((reply) => reply.runId),
          held: index > 0,
        },
      },
      agent,
    );
    if (index === 0 && input.routed !== undefined)
      await appendRunEvent(kernel.store, run.id, 'run.routed', { agent: agent.name, ...input.routed });
    planned.push({ agentId: agent.id, agentName: agent.name, runId: run.id });
    runs.push(run);
  }
  const replies = await setPlannedReplies(kernel.store, message.id, planned);
  conversationChanged(conversation.id);
  return { message: { ...message, replies }, planned, runs };
}

function replyText(run: RunRecord): string {
  if (run.output !== null) return run.output.text;
  return run.error === null ? '' : `(${run.status}: ${run.error.message})`;
}

/**
 * Writes the replies of ended runs into the conversation and releases the next held reply of each message.
 * Idempotent (one message per run), so every reader may call it: after a crash the next read catches up.
 */
export async function settleConversation(kernel: Kernel, conversationId: string): Promise<boolean> {
  let changed = false;
  for (const message of await messagesWithPendingReplies(kernel.store, conversationId)) {
    const written = new Set(
      (await listMessages(kernel.store, conversationId, { afterSeq: message.seq }))
        .map((later) => later.runId)
        .filter((id) => id !== null),
    );
    for (const reply of message.replies) {
      if (written.has(reply.runId)) continue;
      const run = await getRunById(kernel.store, reply.runId);
      if (run === undefined) break;
      if (isTerminal(run.status)) {
        await appendAgentMessage(kernel.store, {
          conversationId,
          runId: run.id,
          agentId: run.agentId,
          agentVersion: run.agentVersion,
          content: replyText(run),
          status: run.status,
          untrusted: run.output?.tainted === true,
        });
        changed = true;
        continue;
      }
      if (await releaseHeldRun(kernel.store, run.id)) kernel.runs.queued([run.id]);
      break;
    }
  }
  if (changed) conversationChanged(conversationId);
  return changed;
}

async function releaseHeldRun(db: SqlClient, runId: string): Promise<boolean> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE runs SET available_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'queued' AND available_at = 'infinity'::timestamptz RETURNING id`,
    [runId],
  );
  return rows.length > 0;
}

/** The text a running reply has streamed so far (its latest turn's deltas). */
export async function streamedSoFar(db: SqlClient, runId: string): Promise<string> {
  const { rows } = await db.query<{ text: string | null }>(
    `SELECT string_agg(data->>'text', '' ORDER BY id) AS text FROM run_events
     WHERE run_id = $1 AND type = 'model.delta' AND (data->>'turn')::int = (
       SELECT max((data->>'turn')::int) FROM run_events WHERE run_id = $1 AND type = 'model.delta')`,
    [runId],
  );
  return rows[0]?.text ?? '';
}

export interface ReplyView {
  agent: string;
  agentId: string;
  runId: string;
  status: string;
  content: string;
  /** The reply's message once written. */
  messageId: string | null;
  /** The earlier reply's run that handed this agent the message (hand_off). */
  handedOffBy: string | null;
  error: { code: string; message: string } | null;
}

/** Where each planned reply stands: its message when written, else its run's state and text so far. */
export async function replyViews(
  kernel: Kernel,
  conversationId: string,
  planned: readonly PlannedReply[],
): Promise<ReplyView[]> {
  const messages = await listMessages(kernel.store, conversationId);
  const byRun = new Map(messages.filter((m) => m.runId !== null).map((m) => [m.runId!, m]));
  return Promise.all(
    planned.map(async (reply): Promise<ReplyView> => {
      const run = await getRunById(kernel.store, reply.runId);
      if (run === undefined) throw new AgentOsError('internal', `Run ${reply.runId} of a reply is missing`);
      const written = byRun.get(reply.runId);
      const error = run.error === null ? null : { code: run.error.code, message: run.error.message };
      return {
        agent: reply.agentName,
        agentId: reply.agentId,
        runId: reply.runId,
        status: run.status,
        content: written?.content ?? run.output?.text ?? (await streamedSoFar(kernel.store, run.id)),
        messageId: written?.id ?? null,
        handedOffBy: reply.handedOffBy ?? null,
        error,
      };
    }),
  );
}
