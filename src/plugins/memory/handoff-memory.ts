import { type Handoff, handoffLines } from '../../core/kernel/handoff.ts';
import type { SqlClient, Store } from '../../core/store/sql-client.ts';
import type { MemoryRecord, MemoryTrust } from './memory-record.ts';
import { createMemory } from './memory-repo.ts';

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
