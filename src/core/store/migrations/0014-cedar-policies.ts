import type { Migration } from '../migration.ts';

export const cedarPolicies: Migration = {
  version: 14,
  name: 'cedar-policies',
  sql: `
-- A workspace's own Cedar policies, evaluated together with the defaults shipped in policy/cedar/.
CREATE TABLE workspace_cedar_policies (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  policies text NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
};
