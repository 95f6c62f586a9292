import { z } from 'zod';
import { roleSchema } from '../../core/identity/roles.ts';
import { defineTool, type PersonQuestion, type ToolDefinition } from '../../core/tools/tool.ts';

export const ASK_HUMAN = 'ask_human';
const DEFAULT_EXPIRY_MINUTES = 24 * 60;

const askHumanInput = z.strictObject({
  question: z.string().min(1).max(4_000),
  /** When given, the answer must be one of these. */
  choices: z.array(z.string().min(1).max(200)).min(2).max(20).optional(),
  /** Whom to ask: a user id, or a role (the run's user still answers unless a user is named). */
  askUser: z.string().min(1).max(200).optional(),
  askRole: roleSchema.optional(),
  expiresInMinutes: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60)
    .optional(),
});

/**
 * A question to a person. The run pauses (pause.reason = question) with the call journaled as started;
 * POST /api/runs/:id/answer completes the call with {answer, answeredBy} and requeues the run.
 */
export function askHumanTool(): ToolDefinition {
  return defineTool({
    name: ASK_HUMAN,
    description:
      'Ask a person a question and wait for the answer. Use when you need a decision or information only a person has. Give choices when the answer must be one of them.',
    inputSchema: askHumanInput,
    idempotent: true,
    stakes: 'low',
    effect: 'read',
    // The answer comes from a person of the workspace, not from outside content.
    trustedOutput: true,
    waitForPerson: (input): PersonQuestion => {
      const minutes = input.expiresInMinutes ?? DEFAULT_EXPIRY_MINUTES;
      return {
        question: input.question,
        ...(input.choices === undefined ? {} : { choices: input.choices }),
        ...(input.askUser === undefined ? {} : { askedUser: input.askUser }),
        ...(input.askRole === undefined ? {} : { askedRole: input.askRole }),
        expiresAt: new Date(Date.now() + minutes * 60_000).toISOString(),
      };
    },
    execute: async () => {
      throw new Error('ask_human waits for a person and is never executed');
    },
  });
}
