import type { Migration } from '../migration.ts';

/**
 * Webhook triggers name their signature scheme (Standard Webhooks for new ones; the body-only HMAC of the
 * triggers made before stays, with a delivery id now required), and every trigger keeps why its last firing
 * was refused (its owner no longer sees an agent it names, the agent is gone …) until one succeeds again.
 */
export const webhookSchemes: Migration = {
  version: 25,
  name: 'webhook-schemes',
  sql: `
ALTER TABLE triggers
  ADD COLUMN signature text CHECK (signature IN ('standard-webhooks', 'hmac-sha256-body')),
  -- {"code", "message"}: why the last firing started no run; cleared by the next firing that starts one.
  ADD COLUMN refusal jsonb,
  ADD COLUMN refused_at timestamptz,
  -- event: source runs that finished at or before this were refused a firing; the look-back never retries them.
  ADD COLUMN event_refused_through timestamptz;
UPDATE triggers SET signature = 'hmac-sha256-body' WHERE kind = 'webhook';
ALTER TABLE triggers
  ADD CONSTRAINT triggers_webhook_signature CHECK ((kind = 'webhook') = (signature IS NOT NULL));
`,
};
