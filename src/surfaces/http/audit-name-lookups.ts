import type { Principal } from '../../core/identity/api-keys.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { workspaceEntity } from '../../plugins/policy/cedar/cedar-entities.ts';
import type { RequestAuthorizer } from '../../plugins/policy/request-authorizer.ts';
import { runReadersSql, runResources } from '../../plugins/policy/run-access.ts';

/** The kinds of things an audit entry names that have a display name. */
export type NamedKind = 'user' | 'agent' | 'run' | 'space' | 'key' | 'mcp_server' | 'group' | 'workspace';

/** Who is asking: names are looked up only for what their own listing endpoints would show them. */
export interface NameViewer {
  principal: Pick<Principal, 'workspaceId' | 'userId' | 'role'>;
  authorizer: Pick<RequestAuthorizer, 'allows' | 'visibleSpaces'>;
}

type Lookup = (db: SqlClient, viewer: NameViewer, ids: string[]) => Promise<Map<string, string>>;

const byId = (rows: { id: string; name: string }[]) => new Map(rows.map((row) => [row.id, row.name]));

/** A run as people tell runs apart: its agent's name and the end of its id (the start is its time). */
export const runDisplayName = (agentName: string, runId: string): string =>
  `${agentName} run …${runId.slice(-6)}`;

const workspaceWide = (viewer: NameViewer) => workspaceEntity(viewer.principal.workspaceId);

/** One batched read per kind, each with the rule of the listing that shows that kind (routes/*.ts). */
export const NAME_LOOKUPS: Record<NamedKind, Lookup> = {
  // GET /api/users: every member sees the workspace's members.
  user: async (db, { principal }, ids) => {
    const { rows } = await db.query<{ id: string; name: string; email: string }>(
      `SELECT u.id, u.name, u.email FROM users u
       JOIN memberships m ON m.user_id = u.id AND m.workspace_id = $1 WHERE u.id = ANY($2::text[])`,
      [principal.workspaceId, ids],
    );
    return new Map(rows.map((row) => [row.id, row.name.trim() === '' ? row.email : row.name]));
  },
  // GET /api/agents: an agent outside any space, or in a space the viewer sees (admins see every space).
  agent: async (db, { principal, authorizer }, ids) => {
    const { rows } = await db.query<{ id: string; name: string }>(
      `SELECT id, name FROM agents WHERE workspace_id = $1 AND id = ANY($2::text[])
         AND (space_id IS NULL OR space_id = ANY($3::text[]))`,
      [principal.workspaceId, ids, await authorizer.visibleSpaces()],
    );
    return byId(rows);
  },
  // GET /api/runs: the runs SQL rule, then Cedar (which adds the workspace's forbids).
  run: async (db, { principal, authorizer }, ids) => {
    const readable = runReadersSql({ ...principal, visibleSpaces: await authorizer.visibleSpaces() }, 'r', 2);
    const { rows } = await db.query<{
      id: string;
      workspace_id: string;
      agent_id: string;
      user_id: string | null;
      agent_name: string;
    }>(
      `SELECT r.id, r.workspace_id, r.agent_id, r.user_id, a.name AS agent_name
       FROM runs r JOIN agents a ON a.id = r.agent_id WHERE r.id = ANY($1::text[]) AND ${readable.sql}`,
      [ids, ...readable.params],
    );
    const resources = await runResources(
      db,
      rows.map((row) => ({
        id: row.id,
        workspaceId: row.workspace_id,
        agentId: row.agent_id,
        userId: row.user_id,
      })),
    );
    const allowed = await Promise.all(resources.map((resource) => authorizer.allows('runs.read', resource)));
    return new Map(
      rows
        .filter((_, index) => allowed[index] === true)
        .map((row) => [row.id, runDisplayName(row.agent_name, row.id)]),
    );
  },
  // GET /api/spaces: the spaces the viewer sees.
  space: async (db, { principal, authorizer }, ids) => {
    const { rows } = await db.query<{ id: string; name: string }>(
      'SELECT id, name FROM spaces WHERE workspace_id = $1 AND id = ANY($2::text[]) AND id = ANY($3::text[])',
      [principal.workspaceId, ids, await authorizer.visibleSpaces()],
    );
    return byId(rows);
  },
  // GET /api/keys needs keys.manage; without it a viewer still knows the names of their own keys.
  key: async (db, { principal, authorizer }, ids) => {
    const everyKey = await authorizer.allows('keys.manage', workspaceWide({ principal, authorizer }));
    const { rows } = await db.query<{ id: string; name: string }>(
      `SELECT id, name FROM api_keys WHERE workspace_id = $1 AND id = ANY($2::text[])
         AND ($3::boolean OR user_id = $4)`,
      [principal.workspaceId, ids, everyKey, principal.userId],
    );
    return byId(rows);
  },
  // GET /api/mcp/servers needs mcp.read.
  mcp_server: async (db, viewer, ids) => {
    if (!(await viewer.authorizer.allows('mcp.read', workspaceWide(viewer)))) return new Map();
    const { rows } = await db.query<{ id: string; name: string }>(
      'SELECT id, name FROM mcp_servers WHERE workspace_id = $1 AND id = ANY($2::text[])',
      [viewer.principal.workspaceId, ids],
    );
    return byId(rows);
  },
  // GET /api/groups: every member sees the workspace's groups.
  group: async (db, { principal }, ids) => {
    const { rows } = await db.query<{ id: string; name: string }>(
      'SELECT id, name FROM groups WHERE workspace_id = $1 AND id = ANY($2::text[])',
      [principal.workspaceId, ids],
    );
    return byId(rows);
  },
  // The viewer's own workspace only: every entry of theirs is in it.
  workspace: async (db, { principal }, ids) => {
    if (!ids.includes(principal.workspaceId)) return new Map();
    const { rows } = await db.query<{ id: string; name: string }>(
      'SELECT id, name FROM workspaces WHERE id = $1',
      [principal.workspaceId],
    );
    return byId(rows);
  },
};
