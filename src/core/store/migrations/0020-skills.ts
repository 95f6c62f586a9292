import type { Migration } from '../migration.ts';

export const skills: Migration = {
  version: 20,
  name: 'skills',
  sql: `
-- Skills: named, versioned bundles of instructions, tools and knowledge sources that agents enable. A skill
-- belongs to a space (or, space_id NULL, to the whole workspace); shared makes a space's skill visible to
-- every member of the workspace. Versions are immutable: agents pin the version they were saved with.
CREATE TABLE skills (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  space_id text REFERENCES spaces(id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9-]{0,62}$'),
  shared boolean NOT NULL DEFAULT false,
  latest_version integer NOT NULL,
  created_by text REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE UNIQUE INDEX skills_live_name ON skills (workspace_id, name) WHERE deleted_at IS NULL;
CREATE INDEX skills_space ON skills (space_id) WHERE space_id IS NOT NULL;

CREATE TABLE skill_versions (
  skill_id text NOT NULL REFERENCES skills(id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  description text NOT NULL,
  instructions text NOT NULL,
  tools text[] NOT NULL DEFAULT '{}',
  knowledge text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text REFERENCES users(id) ON DELETE SET NULL,
  PRIMARY KEY (skill_id, version)
);
`,
};
