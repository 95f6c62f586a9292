import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { canSeeSpace, type SpaceViewer, visibleSpaceIds } from '../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../core/identity/user-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { findSkill, listSkills, type SkillRecord, skillNotFound } from './skill-repo.ts';

type Placement = Pick<SkillRecord, 'workspaceId' | 'spaceId' | 'shared'>;

/**
 * Who sees a skill: every member of the workspace for a workspace-wide or shared skill, otherwise those who
 * see its space (open: everybody; restricted: its members and the admins).
 */
export async function viewerSeesSkill(
  db: SqlClient,
  viewer: SpaceViewer,
  skill: Placement,
): Promise<boolean> {
  if (skill.workspaceId !== viewer.workspaceId) return false;
  if (skill.spaceId === null || skill.shared) return true;
  return canSeeSpace(db, viewer, skill.spaceId);
}

/** As viewerSeesSkill for a user known by id (their current role decides; none: no). Null is the system. */
export async function userSeesSkill(
  db: SqlClient,
  skill: Placement,
  userId: string | null,
): Promise<boolean> {
  if (userId === null) return true;
  const role = await getMembershipRole(db, skill.workspaceId, userId);
  return role !== undefined && viewerSeesSkill(db, { workspaceId: skill.workspaceId, userId, role }, skill);
}

/** A live skill the viewer sees; an invisible one answers exactly like a missing one (skill.not_found). */
export async function getVisibleSkill(
  db: SqlClient,
  viewer: SpaceViewer,
  idOrName: string,
  version?: number,
): Promise<SkillRecord> {
  const skill = await findSkill(db, viewer.workspaceId, idOrName, version);
  if (skill === undefined || !(await viewerSeesSkill(db, viewer, skill)))
    throw skillNotFound(idOrName, version);
  return skill;
}

/** The latest versions of the live skills this viewer sees, by name. */
export async function listVisibleSkills(db: SqlClient, viewer: SpaceViewer): Promise<SkillRecord[]> {
  const skills = await listSkills(db, viewer.workspaceId);
  if (skills.every((skill) => skill.spaceId === null || skill.shared)) return skills;
  const spaces = new Set(await visibleSpaceIds(db, viewer));
  return skills.filter((skill) => skill.spaceId === null || skill.shared || spaces.has(skill.spaceId));
}

/**
 * Changing a skill is for those who see its space for themselves: sharing lends a skill to the rest of
 * the workspace for use, not for editing.
 */
export async function assertManagesSkill(
  db: SqlClient,
  viewer: SpaceViewer,
  skill: SkillRecord,
): Promise<void> {
  if (skill.spaceId === null || (await canSeeSpace(db, viewer, skill.spaceId))) return;
  throw new AgentOsError(
    'auth.forbidden',
    `Skill "${skill.name}" is shared with you for use; only those who see its space may change it`,
    { skill: skill.name },
  );
}
