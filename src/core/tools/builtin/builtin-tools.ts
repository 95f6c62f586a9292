import type { AgentOsConfig } from '../../config/config-schema.ts';
import type { ToolDefinition } from '../tool.ts';
import { httpFetchTool } from './http-fetch.ts';

/** The tools every Agent OS process offers (agents still have to be granted them by name). */
export function builtinTools(config: AgentOsConfig): ToolDefinition[] {
  const allowHosts = config.tools?.httpFetch.allowHosts ?? [];
  return [httpFetchTool({ allowHosts: Array.isArray(allowHosts) ? { '*': allowHosts } : allowHosts })];
}
