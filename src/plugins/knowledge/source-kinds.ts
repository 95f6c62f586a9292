import { join } from 'node:path';
import type { z } from 'zod';
import { AgentOsError, describeIssues } from '../../core/errors/agent-os-error.ts';
import type { Role } from '../../core/identity/roles.ts';
import type { Store } from '../../core/store/sql-client.ts';
import type { Connector } from './connector.ts';
import { folderConnector, folderSourceConfigSchema } from './connectors/folder.ts';
import { gitConnector, gitSourceConfigSchema } from './connectors/git-connector.ts';
import { workspaceMcpResources } from './connectors/mcp-resources-access.ts';
import {
  mcpResourcesConnector,
  mcpResourcesSourceConfigSchema,
} from './connectors/mcp-resources-connector.ts';
import { websiteConnector, websiteSourceConfigSchema } from './connectors/website-connector.ts';

/** What a connector may need from the process that runs the sync. */
export interface ConnectorDeps {
  store: Store;
  workspaceId: string;
  /** Agent OS's version (crawlers send it in their User-Agent). */
  version: string;
  /** Agent OS's home directory (a place for clones and caches). */
  home: string;
}

export interface SourceKind {
  /** Validates (and fills defaults of) a source's `config`. */
  configSchema: z.ZodType<Record<string, unknown>>;
  /** The least role that may create or change a source of this kind (folders read the server's disk). */
  manageRole: Role;
  connector(config: Record<string, unknown>, deps: ConnectorDeps): Connector;
}

/** Declares a kind with its config type inferred from the schema. */
export function sourceKind<Schema extends z.ZodType<Record<string, unknown>>>(kind: {
  configSchema: Schema;
  manageRole?: Role;
  connector(config: z.output<Schema>, deps: ConnectorDeps): Connector;
}): SourceKind {
  return {
    configSchema: kind.configSchema,
    manageRole: kind.manageRole ?? 'builder',
    connector: (config, deps) => {
      const parsed = kind.configSchema.safeParse(config);
      if (!parsed.success)
        throw new AgentOsError('request.invalid', `Invalid config: ${describeIssues(parsed.error.issues)}`);
      return kind.connector(parsed.data, deps);
    },
  };
}

/** Every kind of data source, by the `kind` a source names. Adding a connector is one entry here. */
export const SOURCE_KINDS: Readonly<Record<string, SourceKind>> = {
  folder: sourceKind({
    configSchema: folderSourceConfigSchema,
    manageRole: 'admin',
    connector: folderConnector,
  }),
  // Admin: the crawler fetches from the server's network, so its host allowlist could name internal hosts.
  website: sourceKind({
    configSchema: websiteSourceConfigSchema,
    manageRole: 'admin',
    connector: (config, deps) => websiteConnector(config, { version: deps.version }),
  }),
  // Admin: a local path or file:// URL reads the server's disk, and ssh uses the server's keys.
  git: sourceKind({
    configSchema: gitSourceConfigSchema,
    manageRole: 'admin',
    connector: (config, deps) => gitConnector(config, { cacheDir: join(deps.home, 'cache', 'git') }),
  }),
  'mcp-resources': sourceKind({
    configSchema: mcpResourcesSourceConfigSchema,
    connector: (config, deps) =>
      mcpResourcesConnector(config, {
        access: workspaceMcpResources(deps.store, deps.workspaceId, {
          home: deps.home,
          version: deps.version,
        }),
      }),
  }),
};

export function sourceKindOf(kind: string): SourceKind {
  const found = SOURCE_KINDS[kind];
  if (found === undefined)
    throw new AgentOsError(
      'request.invalid',
      `Unknown source kind "${kind}"; known: ${Object.keys(SOURCE_KINDS).join(', ')}`,
    );
  return found;
}

/** A source's config validated against its kind's schema (400 with the issues otherwise). */
export function parseSourceConfig(kind: string, config: unknown): Record<string, unknown> {
  const result = sourceKindOf(kind).configSchema.safeParse(config);
  if (!result.success)
    throw new AgentOsError(
      'request.invalid',
      `Invalid ${kind} config: ${describeIssues(result.error.issues)}`,
    );
  return result.data;
}
