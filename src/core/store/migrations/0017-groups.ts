import type { Migration } from '../migration.ts';

export const groups: Migration = {
  version: 17,
  name: 'groups',
  sql: `
-- Named groups of workspace members: members of a restricted space (all at once), and Cedar principals
-- (a user is in Group::"<name>" for each of their groups).
CREATE TABLE groups (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);
CREATE TABLE group_members (
  group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);
CREATE TABLE space_groups (
  space_id text NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  group_id text NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  PRIMARY KEY (space_id, group_id)
);
`,
};
