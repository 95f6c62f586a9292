import type { Migration } from '../migration.ts';

export const runJournal: Migration = {
  version: 2,
  name: 'run-journal',
  sql: `
CREATE TABLE run_steps (
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  turn integer NOT NULL,
  call_index integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('model', 'tool', 'pause')),
  status text NOT NULL CHECK (status IN ('started', 'completed', 'failed', 'unknown')),
  attempt integer NOT NULL,
  idempotency_key text NOT NULL,
  name text,
  inputs_hash text NOT NULL,
  input jsonb,
  result jsonb,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cost_usd double precision NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (run_id, turn, call_index)
);

CREATE TABLE run_events (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  type text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX run_events_by_run ON run_events (run_id, id);
`,
};
