import { z } from 'zod';
import { canonicalToolName, isValidToolName, TOOL_NAME_RULE } from '../tools/tool-name.ts';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const NAME_RULE = 'lowercase letters, digits and dashes, starting with a letter, at most 63 characters';

export const skillNameSchema = z.string().regex(NAME, NAME_RULE);

const noDuplicates = (values: readonly string[]) => new Set(values).size === values.length;

/** What a skill version holds: the content a builder writes, exports and imports. */
export const skillContentSchema = z.strictObject({
  name: skillNameSchema,
  /** What the skill is for, in a sentence or two. */
  description: z.string().trim().min(1).max(2_000),
  /** Appended to the agent's instructions under a "Skill: <name>" heading; trimmed, so files round-trip. */
  instructions: z.string().trim().max(100_000).default(''),
  /** Tools the skill needs; each call is still decided by the policy gate for the run's user. */
  tools: z
    .array(z.string().overwrite(canonicalToolName).refine(isValidToolName, `a tool name: ${TOOL_NAME_RULE}`))
    .max(64)
    .refine(noDuplicates, 'lists a tool twice')
    .default([]),
  /** Knowledge source names the skill relies on (read with the run's user's rights). */
  knowledge: z
    .array(z.string().min(1).max(200))
    .max(64)
    .refine(noDuplicates, 'lists a source twice')
    .default([]),
});
export type SkillContentInput = z.input<typeof skillContentSchema>;
export type SkillContent = z.output<typeof skillContentSchema>;

/** Where a skill lives and who sees it (not versioned: moving or sharing a skill changes no content). */
export const skillPlacementSchema = z.strictObject({
  /** The owning space (id or name); absent: the whole workspace. */
  space: z.string().min(1).max(200).optional(),
  /** Visible to every member of the workspace, not only to those who see its space. */
  shared: z.boolean().optional(),
});

/** `name` or `name@version`, as an agent definition lists its skills. */
export const skillRefSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}(@[1-9][0-9]{0,8})?$/, `a skill name (${NAME_RULE}), optionally @<version>`);

export interface SkillRef {
  name: string;
  /** Absent: the latest version. */
  version?: number;
}

export function parseSkillRef(ref: string): SkillRef {
  const at = ref.indexOf('@');
  return at === -1 ? { name: ref } : { name: ref.slice(0, at), version: Number(ref.slice(at + 1)) };
}

export const formatSkillRef = (name: string, version: number): string => `${name}@${version}`;
