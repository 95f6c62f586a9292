import type { AuditEntry } from '../../core/audit-log/audit-entry.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { NAME_LOOKUPS, type NamedKind, type NameViewer } from './audit-name-lookups.ts';

/**
 * The kind behind each type an entry spells: actors say `user`/`agent`, the audit of mutations names the
 * route's first segment (`users`, `keys`, `mcp` for /api/mcp/servers/:id), the kernel `run`, Cedar `Workspace`.
 */
const KIND_OF_TYPE: Readonly<Record<string, NamedKind>> = {
  user: 'user',
  users: 'user',
  agent: 'agent',
  agents: 'agent',
  run: 'run',
  runs: 'run',
  space: 'space',
  spaces: 'space',
  key: 'key',
  keys: 'key',
  mcp: 'mcp_server',
  groups: 'group',
  Workspace: 'workspace',
  workspaces: 'workspace',
};

/** The `<type>:<id>` references of one entry: its actor, whom it acted for, the key used, its resource. */
export function entryReferences(entry: AuditEntry): { type: string; id: string }[] {
  const refs: { type: string; id: string }[] = [{ type: entry.actor.type, id: entry.actor.id }];
  if (entry.actor.onBehalfOf !== undefined) refs.push({ type: 'user', id: entry.actor.onBehalfOf });
  if (entry.actor.keyId !== undefined) refs.push({ type: 'key', id: entry.actor.keyId });
  if (entry.resource.id !== null) refs.push({ type: entry.resource.type, id: entry.resource.id });
  return refs;
}

/**
 * Display names for what these entries refer to, keyed `<type>:<id>` exactly as the entry spells them
 * (`users:usr_…` and `user:usr_…` both, when both occur). One read per kind; only names the viewer may see.
 */
export async function auditNames(
  db: SqlClient,
  viewer: NameViewer,
  entries: readonly AuditEntry[],
): Promise<Record<string, string>> {
  const wanted = new Map<NamedKind, Map<string, Set<string>>>();
  for (const entry of entries) {
    for (const ref of entryReferences(entry)) {
      const kind = KIND_OF_TYPE[ref.type];
      if (kind === undefined) continue;
      const ids = wanted.get(kind) ?? new Map<string, Set<string>>();
      wanted.set(kind, ids);
      const keys = ids.get(ref.id) ?? new Set<string>();
      ids.set(ref.id, keys.add(`${ref.type}:${ref.id}`));
    }
  }
  const names: Record<string, string> = {};
  await Promise.all(
    [...wanted].map(async ([kind, ids]) => {
      const found = await NAME_LOOKUPS[kind](db, viewer, [...ids.keys()]);
      for (const [id, name] of found) for (const key of ids.get(id) ?? []) names[key] = name;
    }),
  );
  return names;
}
