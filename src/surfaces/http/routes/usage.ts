import { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../../core/errors/agent-os-error.ts';
import type { Store } from '../../../core/store/sql-client.ts';
import { budgetGuardFor } from '../../../plugins/usage/budget-guard.ts';
import {
  type Budget,
  budgetInputSchema,
  deleteBudget,
  listBudgets,
  setBudget,
} from '../../../plugins/usage/budget-repo.ts';
import { periodSpend, type Spend } from '../../../plugins/usage/period-spend.ts';
import { periodStart } from '../../../plugins/usage/usage-period.ts';
import {
  parseBound,
  USAGE_GROUPS,
  usageBoundSchema,
  usageReport,
} from '../../../plugins/usage/usage-report.ts';
import { timestamp } from '../../openapi/common-schemas.ts';
import { defineRoute } from '../../openapi/define-route.ts';
import type { AppEnv, RouteDeps } from '../app-env.ts';

const usageQuery = z.strictObject({
  groupBy: z.enum(USAGE_GROUPS).default('agent'),
  /** A UTC day (YYYY-MM-DD) or an ISO date-time; the start of the current month when absent. */
  from: usageBoundSchema.optional(),
  /** A UTC day (included whole) or an ISO date-time; now when absent. */
  to: usageBoundSchema.optional(),
});

const budgetId = z.string().regex(/^bgt_[0-9a-z]{29}$/, 'a budget id (bgt_…)');

const usageFigures = {
  runs: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  costUsd: z.number(),
  modelCalls: z.number(),
  toolCalls: z.number(),
  timedRuns: z.number().meta({ description: 'The runs that ran and ended: those `avgLatencyMs` averages' }),
  avgLatencyMs: z.number().nullable().meta({
    description:
      'Their mean active time in ms: start to end less the time paused waiting for a person; null without any',
  }),
};

const usageReportSchema = z
  .object({
    groupBy: z.enum(USAGE_GROUPS),
    scope: z.enum(['workspace', 'user']).meta({
      description: '`workspace`: every run of the workspace (admins); `user`: only the asking user’s runs',
    }),
    from: timestamp,
    to: timestamp,
    rows: z.array(
      z.object({
        key: z.string().nullable().meta({
          description: 'The agent, user or workspace id, or the UTC day; null for runs without a user',
        }),
        label: z.string().nullable(),
        ...usageFigures,
      }),
    ),
    total: z.object(usageFigures),
  })
  .meta({ id: 'UsageReport' });

const budgetSchema = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    agentId: z.string().nullable().meta({ description: "Null for the workspace's own budget" }),
    agentName: z.string().nullable(),
    period: z.enum(['day', 'month']),
    limitUsd: z.number().nullable(),
    limitTokens: z.number().nullable(),
    createdBy: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    spent: z
      .object({ costUsd: z.number(), tokens: z.number() })
      .meta({ description: 'What the scope has spent in the current period' }),
  })
  .meta({ id: 'Budget' });

/** Each budget with what its scope has spent in the current period. */
async function withSpend(store: Store, budgets: Budget[], now: Date): Promise<(Budget & { spent: Spend })[]> {
  const spends = new Map<string, ReturnType<typeof periodSpend>>();
  return Promise.all(
    budgets.map(async (budget) => {
      const key = budget.agentId ?? `workspace:${budget.workspaceId}`;
      let spend = spends.get(key);
      if (spend === undefined) {
        spend = periodSpend(
          store,
          budget.agentId === null ? { workspaceId: budget.workspaceId } : { agentId: budget.agentId },
          now,
        );
        spends.set(key, spend);
      }
      return { ...budget, spent: (await spend)[budget.period] };
    }),
  );
}

/** Usage reports for everyone (admins see the workspace, others their own runs) and budgets for admins. */
export function usageRoutes({ store }: Pick<RouteDeps, 'store'>): Hono<AppEnv> {
  const api = new Hono<AppEnv>();
  defineRoute(
    api,
    {
      method: 'get',
      path: '/usage',
      resource: 'usage',
      summary: 'Tokens, cost and calls of the runs created in [from, to), grouped (admins: the workspace)',
      tags: ['usage'],
      action: 'usage.read',
      query: usageQuery,
      responses: { 200: { description: 'The usage report', schema: usageReportSchema } },
    },
    async (c, { query }) => {
      const principal = c.get('principal');
      const now = new Date();
      const from = query.from === undefined ? periodStart('month', now) : parseBound(query.from, 'from');
      const to = query.to === undefined ? now : parseBound(query.to, 'to');
      if (from.getTime() >= to.getTime())
        throw new AgentOsError('request.invalid', '`from` must be before `to`');
      const report = await usageReport(store, {
        workspaceId: principal.workspaceId,
        // Only an admin sees the runs of others; everyone else gets a report of their own runs.
        ...(principal.role === 'admin' ? {} : { userId: principal.userId }),
        groupBy: query.groupBy,
        from,
        to,
      });
      return c.json(report);
    },
  );

  defineRoute(
    api,
    {
      method: 'get',
      path: '/budgets',
      resource: 'budget',
      summary: "The workspace's and its agents' budgets, with what each has spent this period",
      tags: ['usage'],
      action: 'budgets.manage',
      responses: {
        200: { description: 'Budgets', schema: z.object({ budgets: z.array(budgetSchema) }) },
      },
    },
    async (c) => {
      const budgets = await listBudgets(store, c.get('principal').workspaceId);
      return c.json({ budgets: await withSpend(store, budgets, new Date()) });
    },
  );

  defineRoute(
    api,
    {
      method: 'post',
      path: '/budgets',
      resource: 'budget',
      summary: "Set the workspace's or an agent's budget for a day or a month (replaces the one there)",
      tags: ['usage'],
      action: 'budgets.manage',
      body: budgetInputSchema,
      responses: { 201: { description: 'The budget', schema: z.object({ budget: budgetSchema }) } },
    },
    async (c, { body }) => {
      const principal = c.get('principal');
      const budget = await setBudget(store, principal.workspaceId, body, principal.userId);
      budgetGuardFor(store).invalidate(principal.workspaceId);
      const [shown] = await withSpend(store, [budget], new Date());
      return c.json({ budget: shown }, 201);
    },
  );

  defineRoute(
    api,
    {
      method: 'delete',
      path: '/budgets/:id',
      resource: 'budget',
      summary: 'Delete a budget',
      tags: ['usage'],
      action: 'budgets.manage',
      responses: {
        200: { description: 'The deleted budget id', schema: z.object({ deleted: z.string() }) },
      },
    },
    async (c, { params }) => {
      // Checked here (not with a params schema) to keep the error's wording: "Invalid budget id: …".
      const id = budgetId.safeParse(params.id);
      if (!id.success)
        throw new AgentOsError('request.invalid', `Invalid budget id: ${id.error.issues[0]?.message}`);
      const workspaceId = c.get('principal').workspaceId;
      await deleteBudget(store, workspaceId, id.data);
      budgetGuardFor(store).invalidate(workspaceId);
      return c.json({ deleted: id.data });
    },
  );
  return api;
}
