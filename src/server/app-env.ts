import type { AgentOsConfig } from '../config/config-schema.ts';
import type { Principal } from '../identity/api-keys.ts';
import type { Store } from '../store/sql-client.ts';
import type { RequestAuthorizer } from './authorize-action.ts';

export interface ServerDeps {
  store: Store;
  config: AgentOsConfig;
  version: string;
  log: (message: string) => void;
}

export interface AppEnv {
  Variables: { principal: Principal; authorizer: RequestAuthorizer };
}
