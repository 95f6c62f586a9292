import type { Migration } from '../migration.ts';

export const evals: Migration = {
  version: 23,
  name: 'evals',
  sql: `
-- Eval suites (one per name and workspace, for one agent), their runs and per-case results.
CREATE TABLE eval_suites (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  agent text NOT NULL,
  definition jsonb NOT NULL,
  created_by text REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, name)
);

-- An eval run keeps the suite as it was run, so later edits do not change its results.
CREATE TABLE eval_runs (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  suite_name text NOT NULL,
  suite jsonb NOT NULL,
  agent_id text NOT NULL REFERENCES agents(id),
  agent_version integer NOT NULL,
  user_id text REFERENCES users(id),
  status text NOT NULL CHECK (status IN ('running', 'completed')),
  passed integer,
  total integer NOT NULL,
  score double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX eval_runs_by_suite ON eval_runs (workspace_id, suite_name, created_at DESC);

-- One row per case, written with its run id when the eval starts and scored once that run has ended.
CREATE TABLE eval_case_results (
  eval_run_id text NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  case_id text NOT NULL,
  position integer NOT NULL,
  run_id text NOT NULL REFERENCES runs(id),
  status text NOT NULL CHECK (status IN ('pending', 'scored')),
  passed boolean,
  score double precision,
  criteria jsonb,
  run_status text,
  answer text,
  input_tokens integer,
  output_tokens integer,
  cost_usd double precision,
  latency_ms integer,
  judge_usage jsonb,
  scored_at timestamptz,
  PRIMARY KEY (eval_run_id, case_id)
);

-- Online checks that escalate: a person is asked to look at a run whose answer failed its checks.
CREATE TABLE check_escalations (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  run_id text NOT NULL UNIQUE REFERENCES runs(id),
  agent_id text NOT NULL REFERENCES agents(id),
  user_id text REFERENCES users(id),
  failures jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolved_by text REFERENCES users(id),
  resolution text,
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX check_escalations_open ON check_escalations (workspace_id, created_at) WHERE status = 'open';

-- A judge call of the online checks is a journaled step, so a replay never judges again.
ALTER TABLE run_steps DROP CONSTRAINT run_steps_kind_check;
ALTER TABLE run_steps ADD CONSTRAINT run_steps_kind_check
  CHECK (kind IN ('model', 'tool', 'pause', 'context', 'compaction', 'extraction', 'check'));
`,
};
