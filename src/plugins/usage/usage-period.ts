export type BudgetPeriod = 'day' | 'month';

/** The start of the UTC day or UTC month that `at` falls in: budgets reset at 00:00 UTC. */
export function periodStart(period: BudgetPeriod, at: Date): Date {
  return period === 'day'
    ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()))
    : new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export const PERIOD_ADJECTIVE: Record<BudgetPeriod, string> = { day: 'daily', month: 'monthly' };
