import type { AgentDefinition } from '../../core/agents/agent-definition.ts';
import { parseSkillRef } from '../../core/agents/skill-definition.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { findSkill, listSkillVersions, type SkillRecord } from './skill-repo.ts';
import { userSeesSkill } from './skill-visibility.ts';

/** The agent version a run pinned: its definition, and when that version was saved. */
export interface PinnedAgent {
  workspaceId: string;
  name: string;
  definition: AgentDefinition;
  /** When this version was written: a pinned skill version must be older (a recreated skill is not the one pinned). */
  updatedAt: Date;
}

function unavailable(agent: PinnedAgent, ref: string, reason: string, code: string): AgentOsError {
  return new AgentOsError(
    'skill.unavailable',
    `Agent "${agent.name}" relies on skill "${ref}", which ${reason}`,
    {
      agent: agent.name,
      skill: ref,
      reason: code,
    },
  );
}

/**
 * An unpinned `name` (an agent written to the store without the API's pinning) means the version that was
 * newest at `asOf` — the run's submission — so every attempt of one run replays the same instructions.
 */
async function versionAsOf(
  db: SqlClient,
  latest: SkillRecord,
  asOf: Date | undefined,
): Promise<SkillRecord | undefined> {
  if (asOf === undefined || latest.updatedAt.getTime() <= asOf.getTime()) return latest;
  return (await listSkillVersions(db, latest.id))
    .filter((skill) => skill.updatedAt.getTime() <= asOf.getTime())
    .at(-1);
}

/**
 * The skills an agent version enables, as the run's user may use them now. Least privilege: a skill that was
 * deleted, or that this user does not see (its space is not theirs and it is not shared), makes the run fail
 * with `skill.unavailable` rather than run without it. `userId` null is the system acting; `asOf` is when the
 * run was submitted (absent: now).
 */
export async function resolveAgentSkills(
  db: SqlClient,
  agent: PinnedAgent,
  userId: string | null,
  asOf?: Date,
): Promise<SkillRecord[]> {
  const skills: SkillRecord[] = [];
  for (const ref of agent.definition.skills ?? []) {
    const { name, version } = parseSkillRef(ref);
    const found = await findSkill(db, agent.workspaceId, name, version);
    const skill = found === undefined || version !== undefined ? found : await versionAsOf(db, found, asOf);
    if (found !== undefined && skill === undefined) {
      throw unavailable(agent, ref, 'had no version yet when the run was submitted', 'version_missing');
    }
    if (skill === undefined) {
      throw version === undefined || (await findSkill(db, agent.workspaceId, name)) === undefined
        ? unavailable(agent, ref, 'was deleted', 'deleted')
        : unavailable(agent, ref, `has no version ${version}`, 'version_missing');
    }
    if (version !== undefined && skill.updatedAt.getTime() > agent.updatedAt.getTime()) {
      throw unavailable(
        agent,
        ref,
        'was deleted and created again since this agent version was saved',
        'replaced',
      );
    }
    if (!(await userSeesSkill(db, skill, userId))) {
      throw unavailable(agent, ref, "is in a space its run's user does not see", 'not_visible');
    }
    skills.push(skill);
  }
  return skills;
}

const union = (base: readonly string[], more: readonly string[][]): string[] => [
  ...new Set([...base, ...more.flat()]),
];

/**
 * The definition a run executes: the agent's own, with each skill's instructions appended under a
 * "Skill: <name>" heading, and its tools and knowledge sources added to the agent's. Granting a tool or a
 * source here only lets the model ask: every call still goes through the policy gate for the run's user, and
 * `search_knowledge` searches only sources that user may read.
 */
export function applySkills(definition: AgentDefinition, skills: readonly SkillRecord[]): AgentDefinition {
  if (skills.length === 0) return definition;
  const sections = skills
    .filter((skill) => skill.instructions !== '')
    .map((skill) => `## Skill: ${skill.name}\n\n${skill.instructions}`);
  const knowledge = union(
    definition.knowledge ?? [],
    skills.map((skill) => skill.knowledge),
  );
  return {
    ...definition,
    instructions: [definition.instructions, ...sections].filter((text) => text !== '').join('\n\n'),
    tools: union(
      definition.tools,
      skills.map((skill) => skill.tools),
    ),
    ...(knowledge.length === 0 ? {} : { knowledge }),
  };
}

/** The effective definition of a pinned agent version for this run's user (see resolveAgentSkills). */
export async function effectiveAgentDefinition(
  db: SqlClient,
  agent: PinnedAgent,
  userId: string | null,
  asOf?: Date,
): Promise<AgentDefinition> {
  return applySkills(agent.definition, await resolveAgentSkills(db, agent, userId, asOf));
}

/**
 * As effectiveAgentDefinition for a run about to start an attempt: `skill.unavailable` comes back as the
 * error the run fails with (it is no passing fault a retry would cure); other errors are thrown.
 */
export async function resolveRunDefinition(
  db: SqlClient,
  agent: PinnedAgent,
  run: { userId: string | null; createdAt: Date },
): Promise<{ definition: AgentDefinition } | { error: ReturnType<AgentOsError['toJSON']> }> {
  try {
    return { definition: await effectiveAgentDefinition(db, agent, run.userId, run.createdAt) };
  } catch (error) {
    if (error instanceof AgentOsError && error.code === 'skill.unavailable') return { error: error.toJSON() };
    throw error;
  }
}
