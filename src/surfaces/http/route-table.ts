import type { Hono } from 'hono';
import type { AppEnv, RouteDeps } from './app-env.ts';
import { consoleRoutes } from './console-static.ts';
import { a2aRoutes } from './routes/a2a.ts';
import { agentRoutes } from './routes/agents.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { artefactRoutes } from './routes/artefacts.ts';
import { auditRoutes } from './routes/audit.ts';
import { cedarPolicyRoutes } from './routes/cedar-policies.ts';
import { conversationChatRoutes } from './routes/conversation-chat.ts';
import { conversationFileRoutes } from './routes/conversation-files.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { databaseRoutes } from './routes/databases.ts';
import { evalRoutes } from './routes/evals.ts';
import { groupRoutes } from './routes/groups.ts';
import { healthRoutes } from './routes/health.ts';
import { identityRoutes } from './routes/identity.ts';
import { knowledgeRoutes } from './routes/knowledge.ts';
import { mcpEndpointRoutes } from './routes/mcp-endpoint.ts';
import { mcpServerRoutes } from './routes/mcp-servers.ts';
import { memoryRoutes } from './routes/memories.ts';
import { memoryBlockRoutes } from './routes/memory-blocks.ts';
import { modelRoutes } from './routes/models.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { orchestrationRoutes } from './routes/orchestration.ts';
import { planRoutes } from './routes/plans.ts';
import { runRoutes } from './routes/runs.ts';
import { schedulerRoutes } from './routes/scheduler.ts';
import { sessionRoutes, signInRoutes } from './routes/sessions.ts';
import { skillRoutes } from './routes/skills.ts';
import { spaceRoutes } from './routes/spaces.ts';
import { toolRoutes } from './routes/tools.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { usageRoutes } from './routes/usage.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/** One feature's routes: a sub-app whose paths are relative to the prefix of the section listing it. */
export type FeatureRoutes = (deps: RouteDeps) => Hono<AppEnv>;

/**
 * Who lets a request through to a section: nobody (`public`), the app's API-key or session check with
 * the audit of mutations, applied once in front of the whole section (`api-key`), or each feature
 * itself, as its protocol asks (`own`: A2A and MCP take the same keys, webhooks check signatures).
 */
export type SectionAccess = 'public' | 'api-key' | 'own';

export interface RouteSection {
  prefix: '/api' | '/';
  access: SectionAccess;
  features: readonly FeatureRoutes[];
}

/**
 * Every route the process serves, in mount order; the app mounts each feature flat with
 * `app.route(prefix, routes(deps))` and no feature mounts another. Order counts twice: a section's
 * access check runs for every section after it under the same prefix, and the console, last, answers
 * every GET no other route took.
 */
export const ROUTE_TABLE: readonly RouteSection[] = [
  { prefix: '/api', access: 'public', features: [healthRoutes, openApiRoutes, signInRoutes] },
  {
    prefix: '/api',
    access: 'api-key',
    features: [
      identityRoutes,
      sessionRoutes,
      agentRoutes,
      modelRoutes,
      toolRoutes,
      memoryRoutes,
      memoryBlockRoutes,
      spaceRoutes,
      groupRoutes,
      knowledgeRoutes,
      databaseRoutes,
      auditRoutes,
      artefactRoutes,
      runRoutes,
      approvalRoutes,
      cedarPolicyRoutes,
      orchestrationRoutes,
      triggerRoutes,
      planRoutes,
      conversationRoutes,
      conversationChatRoutes,
      conversationFileRoutes,
      evalRoutes,
      schedulerRoutes,
      skillRoutes,
      usageRoutes,
      mcpServerRoutes,
    ],
  },
  {
    prefix: '/',
    access: 'own',
    features: [mcpEndpointRoutes, webhookRoutes, a2aRoutes, () => consoleRoutes()],
  },
];
