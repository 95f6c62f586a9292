import { formatSkillRef, parseSkillRef } from '../../core/agents/skill-definition.ts';
import { AgentOsError, isAgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SpaceViewer } from '../../core/identity/space-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { assertSkillWithinBoundary } from './skill-boundary.ts';
import { getVisibleSkill } from './skill-visibility.ts';

const NAMED_BY_FIELD = new Set<string>(['skill.not_found', 'policy.outside_boundary']);

/**
 * An agent's skills as they are saved: each `name` or `name@version` resolved among the skills the saving
 * builder sees and pinned to a concrete version (`name@3`), so every run of that agent version gets the same
 * skill content. A skill the builder does not see is `skill.not_found` (404), one reaching outside the
 * workspace's boundary `policy.outside_boundary` (403); both name the field (`skills.<i>`).
 */
export async function pinAgentSkills(
  db: SqlClient,
  viewer: SpaceViewer,
  refs: readonly string[] | undefined,
): Promise<string[] | undefined> {
  if (refs === undefined) return undefined;
  const seen = new Set<string>();
  const pinned: string[] = [];
  for (const [index, ref] of refs.entries()) {
    const { name, version } = parseSkillRef(ref);
    const path = `skills.${index}`;
    if (seen.has(name)) {
      throw new AgentOsError('request.invalid', `Invalid body: ${path}: enables skill "${name}" twice`, {
        issues: [{ path, message: `enables skill "${name}" twice` }],
      });
    }
    seen.add(name);
    try {
      const skill = await getVisibleSkill(db, viewer, name, version);
      // The boundary may have narrowed since the skill was saved.
      await assertSkillWithinBoundary(db, viewer, skill);
      pinned.push(formatSkillRef(skill.name, skill.version));
    } catch (error) {
      if (!isAgentOsError(error) || !NAMED_BY_FIELD.has(error.code)) throw error;
      throw new AgentOsError(error.code, `${path}: ${error.message}`, {
        ...error.details,
        issues: [{ path, message: error.message }],
      });
    }
  }
  return pinned;
}
