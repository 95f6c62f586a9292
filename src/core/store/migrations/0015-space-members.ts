import type { Migration } from '../migration.ts';

export const spaceMembers: Migration = {
  version: 15,
  name: 'space-members',
  sql: `
-- Who belongs to a restricted space. Open spaces are visible to every member of the workspace; restricted
-- ones to their members and the workspace's admins.
CREATE TABLE space_members (
  space_id text NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, user_id)
);
CREATE INDEX space_members_user ON space_members (user_id);
`,
};
