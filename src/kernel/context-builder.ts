import { z } from 'zod';
import type { AgentDefinition } from '../agents/agent-definition.ts';
import { visibleSpace } from '../agents/agent-visibility.ts';
import { conversationSnapshotSchema, historyMessages } from '../conversations/conversation-history.ts';
import { agentReadableScopes } from '../memory/memory-access.ts';
import { listPinnedBlocks } from '../memory/memory-blocks.ts';
import { searchMemories } from '../memory/memory-search.ts';
import type { Embedder } from '../models/embedder.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { renderHandoff } from './handoff.ts';
import { type ChatMessage, spotlight } from './messages.ts';
import type { RunRecord } from './run-record.ts';

/**
 * What a run's context starts from besides its task: the pinned blocks and the trusted long-term memories
 * retrieved for the task, as they were when the run started. It is journaled (a `context` step), so a
 * resumed run sees the same context even if memory changed meanwhile.
 */
export const contextSnapshotSchema = z.object({
  v: z.literal(1),
  pinned: z.array(
    z.object({ scope: z.string(), label: z.string(), content: z.string(), trusted: z.boolean() }),
  ),
  memories: z.array(
    z.object({ id: z.string(), kind: z.string(), content: z.string(), occurredAt: z.string().nullable() }),
  ),
  /** A run answering in a conversation: the history it was given (conversations/conversation-history.ts). */
  conversation: conversationSnapshotSchema.optional(),
});
export type ContextSnapshot = z.infer<typeof contextSnapshotSchema>;

export const isEmptySnapshot = (snapshot: ContextSnapshot): boolean =>
  snapshot.pinned.length === 0 && snapshot.memories.length === 0 && snapshot.conversation === undefined;

/** Pinned text an agent or the consolidation job wrote is data from outside a person's control: it taints. */
export const snapshotTainted = (snapshot: ContextSnapshot): boolean =>
  snapshot.pinned.some((block) => !block.trusted);

export const EMPTY_SNAPSHOT: ContextSnapshot = { v: 1, pinned: [], memories: [] };

/** Retrieval casts a wider net than it keeps: untrusted hits are dropped after ranking. */
const RECALL_CANDIDATES = 4;

/**
 * Reads the pinned blocks of the agent, its user and the workspace, and retrieves the memories most
 * relevant to the task. Only trusted memories (said by a person) enter the context unasked: anything from
 * tool output, documents or agent inference stays reachable through the `recall` tool, whose output is
 * labelled untrusted and taints the run — so automatic context never smuggles outside text in.
 */
export async function gatherContext(
  db: SqlClient,
  run: RunRecord,
  def: AgentDefinition,
  embedder?: Embedder,
): Promise<ContextSnapshot> {
  const base = { workspaceId: run.workspaceId, agentId: run.agentId, userId: run.userId };
  // The run's pinned definition names its space; only whether the user still sees it needs asking.
  const principal = { ...base, spaceId: await visibleSpace(db, base, def.space) };
  const [blocks, hits] = await Promise.all([
    listPinnedBlocks(db, principal),
    def.memory.recall === 0
      ? Promise.resolve([])
      : searchMemories(db, {
          workspaceId: run.workspaceId,
          query: run.input.task.slice(0, 4_000),
          scopes: agentReadableScopes(principal),
          limit: def.memory.recall * RECALL_CANDIDATES,
          embedder,
        }),
  ]);
  return {
    v: 1,
    pinned: blocks.map((block) => ({
      scope: block.scope,
      label: block.label,
      content: block.content,
      trusted: block.trusted,
    })),
    memories: hits
      .filter(
        (hit) =>
          hit.memory.trust === 'trusted' && hit.memory.kind !== 'episode' && hit.memory.kind !== 'handoff',
      )
      .slice(0, def.memory.recall)
      .map(({ memory }) => ({
        id: memory.id,
        kind: memory.kind,
        content: memory.content,
        occurredAt: (memory.occurredAt ?? memory.validFrom).toISOString().slice(0, 10),
      })),
  };
}

function contextNote(snapshot: ContextSnapshot): string | undefined {
  const sections: string[] = [];
  if (snapshot.pinned.length > 0) {
    sections.push(
      'Pinned notes (kept by you and your user):',
      ...snapshot.pinned.map(
        (block) =>
          `[${block.scope}/${block.label}]\n${block.trusted ? block.content : spotlight(block.content)}`,
      ),
    );
  }
  if (snapshot.memories.length > 0) {
    sections.push(
      'From long-term memory (relevant to this task; cite by id if you rely on one):',
      ...snapshot.memories.map((m) => `- (${m.id}, ${m.kind}, ${m.occurredAt}) ${m.content}`),
    );
  }
  return sections.length === 0 ? undefined : sections.join('\n');
}

/**
 * The fixed head of every model call of a run: instructions, pinned notes and memories, the conversation
 * so far (in a conversation), handoff, task — then the replies other agents already gave to that message.
 */
export function preambleMessages(
  def: AgentDefinition,
  run: RunRecord,
  snapshot: ContextSnapshot,
): ChatMessage[] {
  const note = contextNote(snapshot);
  const handoff = run.input.handoff === undefined ? undefined : renderHandoff(run.input.handoff);
  const history =
    snapshot.conversation === undefined
      ? { before: [], after: [] }
      : historyMessages(snapshot.conversation, { agentId: run.agentId, userId: run.userId });
  return [
    ...(def.instructions === '' ? [] : [{ role: 'system' as const, content: def.instructions }]),
    ...(note === undefined ? [] : [{ role: 'system' as const, content: note }]),
    ...history.before,
    {
      role: 'user',
      content: handoff === undefined ? run.input.task : `${handoff}\n\nTask:\n${run.input.task}`,
    },
    ...history.after,
  ];
}
