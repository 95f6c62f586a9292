import { z } from 'zod';
import type { AgentDefinition } from '../agents/agent-definition.ts';
import type { ContentSource } from '../tools/value-provenance.ts';
import { renderHandoff } from './handoff.ts';
import type { ContextContributor, RunScope } from './kernel-plugin.ts';
import type { ChatMessage } from './messages.ts';
import type { RunRecord } from './run-record.ts';

/**
 * What a run's context starts from besides its task, as its plugins gathered it when the run started
 * (memory's pinned blocks and memories, a conversation's history), each under its own keys. It is
 * journaled (a `context` step), so a resumed run sees the same context even if memory changed meanwhile.
 */
export const contextSnapshotSchema = z.object({ v: z.literal(1) }).catchall(z.unknown());
export type ContextSnapshot = z.infer<typeof contextSnapshotSchema>;

/** Nothing gathered: every section is absent or an empty list (such a context is not journaled). */
export const isEmptySnapshot = (snapshot: ContextSnapshot): boolean =>
  Object.entries(snapshot).every(
    ([key, value]) => key === 'v' || value === undefined || (Array.isArray(value) && value.length === 0),
  );

export const EMPTY_SNAPSHOT: ContextSnapshot = { v: 1 };

/** Every contributor's sections at run start, in plugin order. */
export async function gatherContext(
  contributors: readonly ContextContributor[],
  scope: RunScope,
  def: AgentDefinition,
): Promise<ContextSnapshot> {
  const sections = await Promise.all(contributors.map((c) => c.gather?.(scope, def) ?? Promise.resolve({})));
  return Object.assign({ v: 1 as const }, ...sections) as ContextSnapshot;
}

/** A contributor says its sections hold text from outside a person's control. */
export const snapshotTainted = (contributors: readonly ContextContributor[], snapshot: ContextSnapshot) =>
  contributors.some((c) => c.tainted?.(snapshot) === true);

/** The texts of the snapshot that argument values may come from, with their trust (tools/value-provenance.ts). */
export const snapshotSources = (
  contributors: readonly ContextContributor[],
  snapshot: ContextSnapshot,
  run: RunRecord,
): ContentSource[] => contributors.flatMap((c) => c.sources?.(snapshot, run) ?? []);

/**
 * The fixed head of every model call of a run: instructions, the contributors' notes (pinned notes and
 * memories), what goes before the task (the conversation so far), handoff and task, then what goes after
 * it (the replies other agents already gave to that message).
 */
export function preambleMessages(
  def: AgentDefinition,
  run: RunRecord,
  snapshot: ContextSnapshot,
  contributors: readonly ContextContributor[],
): ChatMessage[] {
  const rendered = contributors.map((c) => c.render(snapshot, run));
  const handoff = run.input.handoff === undefined ? undefined : renderHandoff(run.input.handoff);
  return [
    ...(def.instructions === '' ? [] : [{ role: 'system' as const, content: def.instructions }]),
    ...rendered.flatMap((r) =>
      r.system === undefined ? [] : [{ role: 'system' as const, content: r.system }],
    ),
    ...rendered.flatMap((r) => r.before ?? []),
    {
      role: 'user',
      content: handoff === undefined ? run.input.task : `${handoff}\n\nTask:\n${run.input.task}`,
    },
    ...rendered.flatMap((r) => r.after ?? []),
  ];
}
