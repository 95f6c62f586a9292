import type { Migration } from '../migration.ts';

/**
 * An email no longer names one user across the installation: a workspace that adds an email known in
 * another workspace gets a user of its own, so nothing of the other workspace's record (its id, which
 * encodes when it was made, its name, its creation time) reaches this workspace. Found by email within a
 * workspace through its memberships.
 */
export const workspaceUsers: Migration = {
  version: 26,
  name: 'workspace-users',
  sql: `
ALTER TABLE users DROP CONSTRAINT users_email_key;
CREATE INDEX users_email ON users (email);
`,
};
