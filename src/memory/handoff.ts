import { z } from 'zod';
import type { SqlClient, Store } from '../store/sql-client.ts';
import type { MemoryRecord, MemoryTrust } from './memory-record.ts';
import { createMemory } from './memory-repo.ts';

const entry = z.string().trim().min(1).max(2_000);
const entries = (what: string) => z.array(entry).max(50).default([]).describe(what);

/** What one agent tells another when it delegates: enough to continue without repeating work. */
export const handoffSchema = z.strictObject({
  goal: z.string().trim().min(1).max(2_000).describe('What the receiver should achieve, and why'),
  done: entries('What is already done (do not repeat it)'),
  decisions: entries('Decisions already taken, with their reasons'),
  openQuestions: entries('What is still unknown or undecided'),
  artefacts: z
    .array(
      z.strictObject({
        id: z.string().trim().min(1).max(200).optional().describe('A run, memory, file or record id'),
        name: z.string().trim().min(1).max(200),
        note: z.string().trim().max(2_000).optional(),
      }),
    )
    .max(50)
    .default([])
    .describe('Things produced or found that the receiver needs'),
});
export type Handoff = z.infer<typeof handoffSchema>;

const bullets = (title: string, items: readonly string[]): string[] =>
  items.length === 0 ? [] : [`${title}:`, ...items.map((item) => `- ${item}`)];

/** The sections of a handoff as lines; empty sections are left out. */
function handoffLines(h: Handoff): string[] {
  const artefacts = h.artefacts.map((a) => {
    const id = a.id === undefined ? '' : ` (${a.id})`;
    const note = a.note === undefined || a.note === '' ? '' : `: ${a.note}`;
    return `${a.name}${id}${note}`;
  });
  return [
    `Goal: ${h.goal}`,
    ...bullets('Done', h.done),
    ...bullets('Decisions', h.decisions),
    ...bullets('Open questions', h.openQuestions),
    ...bullets('Artefacts', artefacts),
  ];
}

/** The handoff as the receiver's context shows it. */
export function renderHandoff(h: Handoff): string {
  return ['Handoff from the delegating agent:', ...handoffLines(h)].join('\n');
}

export interface StoreHandoffInput {
  workspaceId: string;
  /** The user the delegating run acts for; null for runs without a user (the memory goes to the workspace). */
  userId: string | null;
  fromAgentId: string;
  fromAgentName: string;
  toAgentId: string;
  toAgentName: string;
  /** The delegating (parent) run. */
  runId: string;
  childRunId?: string | undefined;
  /** The delegating call's turn, for the provenance. */
  step?: number | undefined;
  /** Stable across attempts of the same delegation (the tool call's idempotency key): it is stored once. */
  requestKey: string;
  /** Defaults to trusted: the system's own agent wrote it; pass untrusted when the sender read outside content. */
  trust?: MemoryTrust | undefined;
  handoff: Handoff;
}

/**
 * Stores a handoff as a memory of kind `handoff` in the user's scope (the workspace's for runs without a
 * user), so the receiver and later runs for that user can recall it. The same request key — a re-driven
 * call after a crash — returns the memory written the first time.
 */
export async function storeHandoff(db: SqlClient | Store, input: StoreHandoffInput): Promise<MemoryRecord> {
  const target =
    input.userId === null
      ? { scope: 'workspace' as const, scopeId: input.workspaceId }
      : { scope: 'user' as const, scopeId: input.userId };
  const received = input.childRunId === undefined ? '' : `, received by run ${input.childRunId}`;
  const { memory } = await createMemory(
    db,
    input.workspaceId,
    {
      kind: 'handoff',
      content: [
        `Handoff from ${input.fromAgentName} to ${input.toAgentName}:`,
        ...handoffLines(input.handoff),
      ].join('\n'),
      subjects: [...new Set([input.toAgentName, input.fromAgentName])],
      context: `Delegated by agent ${input.fromAgentId} in run ${input.runId} to agent ${input.toAgentId}${received}.`,
      ...target,
      provenance: {
        source: 'agent_inferred',
        runId: input.runId,
        agentId: input.fromAgentId,
        ...(input.step === undefined ? {} : { step: input.step }),
        ...(input.userId === null ? {} : { userId: input.userId }),
      },
      trust: input.trust ?? 'trusted',
    },
    {
      userId: input.userId,
      agentId: input.fromAgentId,
      runId: input.runId,
      requestKey: `handoff:${input.requestKey}`,
    },
  );
  return memory;
}
