import type { Migration } from '../migration.ts';

export const apiKeyExpiryAndScope: Migration = {
  version: 16,
  name: 'api-key-expiry-and-scope',
  sql: `
-- Keys may expire, and may be read-only (refused for anything but GET and HEAD).
ALTER TABLE api_keys ADD COLUMN expires_at timestamptz;
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'read'));
`,
};
