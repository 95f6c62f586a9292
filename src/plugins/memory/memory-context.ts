import { z } from 'zod';
import { visibleSpace } from '../../core/agents/agent-visibility.ts';
import type { ContextContributor } from '../../core/kernel/kernel-plugin.ts';
import { spotlight } from '../../core/kernel/messages.ts';
import type { Embedder } from '../../core/models/embedder.ts';
import { agentReadableScopes } from './memory-access.ts';
import { listPinnedBlocks } from './memory-blocks.ts';
import { searchMemories } from './memory-search.ts';

/** Memory's sections of the journaled context snapshot (journal v1: `pinned`, `memories`). */
const memorySectionsSchema = z.object({
  pinned: z
    .array(z.object({ scope: z.string(), label: z.string(), content: z.string(), trusted: z.boolean() }))
    .default([]),
  memories: z
    .array(
      z.object({ id: z.string(), kind: z.string(), content: z.string(), occurredAt: z.string().nullable() }),
    )
    .default([]),
});
type MemorySections = z.infer<typeof memorySectionsSchema>;

/** Retrieval casts a wider net than it keeps: untrusted hits are dropped after ranking. */
const RECALL_CANDIDATES = 4;

function contextNote(sections: MemorySections): string | undefined {
  const lines: string[] = [];
  if (sections.pinned.length > 0) {
    lines.push(
      'Pinned notes (kept by you and your user):',
      ...sections.pinned.map(
        (block) =>
          `[${block.scope}/${block.label}]\n${block.trusted ? block.content : spotlight(block.content)}`,
      ),
    );
  }
  if (sections.memories.length > 0) {
    lines.push(
      'From long-term memory (relevant to this task; cite by id if you rely on one):',
      ...sections.memories.map((m) => `- (${m.id}, ${m.kind}, ${m.occurredAt}) ${m.content}`),
    );
  }
  return lines.length === 0 ? undefined : lines.join('\n');
}

/**
 * The pinned blocks of the agent, its user and the workspace, and the memories most relevant to the
 * task. Only trusted memories (said by a person) enter the context unasked: anything from tool output,
 * documents or agent inference stays reachable through the `recall` tool, whose output is labelled
 * untrusted and taints the run — so automatic context never smuggles outside text in. Pinned text an
 * agent or the consolidation job wrote is data from outside a person's control: it taints.
 */
export function memoryContext(embedder: Embedder | undefined): ContextContributor {
  return {
    gather: async ({ store, run }, def) => {
      const base = { workspaceId: run.workspaceId, agentId: run.agentId, userId: run.userId };
      // The run's pinned definition names its space; only whether the user still sees it needs asking.
      const principal = { ...base, spaceId: await visibleSpace(store, base, def.space) };
      const [blocks, hits] = await Promise.all([
        listPinnedBlocks(store, principal),
        def.memory.recall === 0
          ? Promise.resolve([])
          : searchMemories(store, {
              workspaceId: run.workspaceId,
              query: run.input.task.slice(0, 4_000),
              scopes: agentReadableScopes(principal),
              limit: def.memory.recall * RECALL_CANDIDATES,
              embedder,
            }),
      ]);
      return {
        pinned: blocks.map((block) => ({
          scope: block.scope,
          label: block.label,
          content: block.content,
          trusted: block.trusted,
        })),
        memories: hits
          .filter(
            (hit) =>
              hit.memory.trust === 'trusted' &&
              hit.memory.kind !== 'episode' &&
              hit.memory.kind !== 'handoff',
          )
          .slice(0, def.memory.recall)
          .map(({ memory }) => ({
            id: memory.id,
            kind: memory.kind,
            content: memory.content,
            occurredAt: (memory.occurredAt ?? memory.validFrom).toISOString().slice(0, 10),
          })),
      } satisfies MemorySections;
    },
    render: (snapshot) => ({ system: contextNote(memorySectionsSchema.parse(snapshot)) }),
    tainted: (snapshot) => memorySectionsSchema.parse(snapshot).pinned.some((block) => !block.trusted),
  };
}
