import type { Context } from 'hono';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import { getRun } from '../../core/kernel/run-repo.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import type { CedarAction } from '../../plugins/policy/cedar/cedar-schema.ts';
import { type RunViewer, runResources } from '../../plugins/policy/run-access.ts';
import type { AppEnv } from './app-env.ts';

const hidden = (runId: string) => new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);

/**
 * The run `runId` when the caller may read it and do `action` on it. A run they may not read is reported
 * exactly like a missing one (the denial is still audited), so other people's run ids are not confirmed.
 */
export async function authorizedRun(
  c: Context<AppEnv>,
  db: SqlClient,
  runId: string,
  action: CedarAction = 'runs.read',
): Promise<RunRecord> {
  const run = await getRun(db, c.get('principal').workspaceId, runId);
  const [resource] = await runResources(db, [run]);
  if (resource === undefined) throw hidden(runId);
  const authorizer = c.get('authorizer');
  await authorizer.assertVisible('runs.read', resource, hidden(runId));
  if (action !== 'runs.read') await authorizer.assert(action, resource);
  return run;
}

/** The caller as a reader of runs: for `runReadersSql`. */
export async function runViewer(c: Context<AppEnv>): Promise<RunViewer> {
  const { workspaceId, userId, role } = c.get('principal');
  return { workspaceId, userId, role, visibleSpaces: await c.get('authorizer').visibleSpaces() };
}

/** Those of `runs` Cedar lets the caller read (the SQL rule already applied; this adds workspace forbids). */
export async function readableRuns<R extends RunRecord>(
  c: Context<AppEnv>,
  db: SqlClient,
  runs: readonly R[],
): Promise<R[]> {
  const resources = await runResources(db, runs);
  const authorizer = c.get('authorizer');
  const allowed = await Promise.all(resources.map((resource) => authorizer.allows('runs.read', resource)));
  return runs.filter((_, index) => allowed[index] === true);
}
