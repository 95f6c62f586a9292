import type { AgentOsConfig } from '../../core/config/config-schema.ts';
import type { Principal } from '../../core/identity/api-keys.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { ProviderModels } from '../../core/models/provider-models.ts';
import type { Store } from '../../core/store/sql-client.ts';
import type { McpConnectionManager } from '../../plugins/mcp/mcp-connection-manager.ts';
import type { RequestAuthorizer } from '../../plugins/policy/request-authorizer.ts';
import type { RouterMount } from '../openapi/openapi-document.ts';

/** What the app's own middleware (authentication, the audit of mutations, errors) needs. */
export interface ServerDeps {
  store: Store;
  config: AgentOsConfig;
  version: string;
  log: (message: string) => void;
}

/**
 * What the route table hands every feature's `routes(deps)`; each feature declares the part it uses
 * (`Pick<RouteDeps, 'kernel'>`), so the table can pass the whole to all of them.
 */
export interface RouteDeps extends ServerDeps {
  kernel: Kernel;
  /** The live connections to the workspace's MCP servers (their admin routes report and restart them). */
  mcpServers: McpConnectionManager;
  /** The providers and the models they serve (compatible servers asked, good answers cached). */
  providerModels: ProviderModels;
  /** Every router the table mounts, filled as it mounts them: the OpenAPI document is built from it per request. */
  mounted: readonly RouterMount[];
}

export interface AppEnv {
  Variables: { principal: Principal; authorizer: RequestAuthorizer };
}
