import type { Migration } from '../migration.ts';
import { foundation } from './0001-foundation.ts';
import { runJournal } from './0002-run-journal.ts';
import { auditLog } from './0003-audit-log.ts';
import { memories } from './0004-memories.ts';
import { runProgressAndScheduler } from './0005-run-progress-and-scheduler.ts';
import { artefactsAndMcp } from './0006-artefacts-and-mcp.ts';
import { auditOutbox } from './0007-audit-outbox.ts';
import { approvalsAndLabels } from './0008-approvals-and-labels.ts';
import { orchestration } from './0009-orchestration.ts';
import { memoryBlocks } from './0010-memory-blocks.ts';
import { contextSteps } from './0011-context-steps.ts';
import { plans } from './0012-plans.ts';
import { eventTriggers } from './0013-event-triggers.ts';
import { cedarPolicies } from './0014-cedar-policies.ts';
import { spaceMembers } from './0015-space-members.ts';
import { apiKeyExpiryAndScope } from './0016-api-key-expiry-and-scope.ts';
import { groups } from './0017-groups.ts';
import { memoryEmbeddings } from './0018-memory-embeddings.ts';
import { knowledge } from './0019-knowledge.ts';
import { skills } from './0020-skills.ts';
import { consoleSessions } from './0021-console-sessions.ts';
import { usageBudgets } from './0022-usage-budgets.ts';
import { evals } from './0023-evals.ts';
import { sourceCron } from './0024-source-cron.ts';
import { webhookSchemes } from './0025-webhook-schemes.ts';
import { workspaceUsers } from './0026-workspace-users.ts';
import { conversations } from './0027-conversations.ts';
import { conversationFiles } from './0028-conversation-files.ts';
import { conversationExtractions } from './0029-conversation-extractions.ts';
import { openStepKinds } from './0030-open-step-kinds.ts';
import { approvalArguments } from './0031-approval-arguments.ts';
import { conversationTrust } from './0032-conversation-trust.ts';
import { databaseSources } from './0033-database-sources.ts';
import { documentContent } from './0034-document-content.ts';

/** The one migration history, in version order (a test checks it). Append only: never edit a migration that has shipped. */
export const migrations: readonly Migration[] = [
  foundation,
  runJournal,
  auditLog,
  memories,
  runProgressAndScheduler,
  artefactsAndMcp,
  auditOutbox,
  approvalsAndLabels,
  orchestration,
  memoryBlocks,
  contextSteps,
  plans,
  eventTriggers,
  cedarPolicies,
  spaceMembers,
  apiKeyExpiryAndScope,
  groups,
  memoryEmbeddings,
  knowledge,
  skills,
  consoleSessions,
  usageBudgets,
  evals,
  sourceCron,
  webhookSchemes,
  workspaceUsers,
  conversations,
  conversationFiles,
  conversationExtractions,
  openStepKinds,
  approvalArguments,
  conversationTrust,
  databaseSources,
  documentContent,
];
