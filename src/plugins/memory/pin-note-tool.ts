import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Store } from '../../core/store/sql-client.ts';
import { defineTool, type ToolDefinition } from '../../core/tools/tool.ts';
import { blockContentSchema, blockLabelSchema, setPinnedBlock } from './memory-blocks.ts';

const pinNoteInput = z.strictObject({
  label: blockLabelSchema.describe('A short name, e.g. "customer-context" (lowercase, digits, dashes)'),
  content: blockContentSchema.describe(
    'The whole note (it replaces what the label held); at most 2,000 characters',
  ),
  scope: z
    .enum(['agent', 'user'])
    .default('agent')
    .describe("agent: this agent's own note; user: a note every agent working for this user sees"),
});

/**
 * `pin_note`: writes a pinned block that is in every later model call of this agent (scope `agent`) or of
 * every agent of the run's user (scope `user`). An upsert by label, so a retried call changes nothing more.
 */
export function pinNoteTool(store: Store): ToolDefinition {
  return defineTool({
    name: 'pin_note',
    description:
      'Pin a short note (≤ 2,000 characters) that is shown to you at the start of every later model call. Writing a label again replaces its note.',
    inputSchema: pinNoteInput,
    idempotent: true,
    effect: 'write',
    stakes: 'low',
    // Only the block's id, label and time come back, never its text.
    trustedOutput: true,
    execute: async (input, context) => {
      if (input.scope === 'user' && context.userId === null) {
        throw new AgentOsError('auth.forbidden', 'This run has no user to pin a user note for');
      }
      const { block, changed } = await setPinnedBlock(
        store,
        {
          workspaceId: context.workspaceId,
          scope: input.scope,
          scopeId: input.scope === 'agent' ? context.agentId : (context.userId ?? ''),
          label: input.label,
          content: input.content,
        },
        {
          type: 'agent',
          id: context.agentId,
          ...(context.userId === null ? {} : { onBehalfOf: context.userId }),
        },
      );
      return {
        id: block.id,
        scope: block.scope,
        label: block.label,
        changed,
        updatedAt: block.updatedAt.toISOString(),
      };
    },
  });
}
