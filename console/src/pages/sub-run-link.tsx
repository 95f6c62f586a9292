import type { RunStep } from '../api/types.ts';
import { runLabel } from '../components/format.ts';
import { Link } from '../router.tsx';

/** The agent a `run_agent` call delegated to, and the sub-run's id once it answered (`{runId, agent, answer}`). */
export function delegatedTo(step: RunStep): { agent: string; runId: string | undefined } | undefined {
  if (step.kind !== 'tool' || step.name !== 'run_agent') return undefined;
  const input = step.input as { argumentsText?: unknown } | null;
  let agent: unknown;
  try {
    agent =
      typeof input?.argumentsText === 'string'
        ? (JSON.parse(input.argumentsText) as { agent?: unknown }).agent
        : undefined;
  } catch {
    return undefined;
  }
  if (typeof agent !== 'string') return undefined;
  const output = (step.result as { output?: { runId?: unknown } } | null)?.output;
  const runId = typeof output?.runId === 'string' ? output.runId : undefined;
  return { agent, runId };
}

/** `→ billing run …1a2b3c`, linked to the sub-run with its id on hover; the agent alone until it answered. */
export function SubRunLink(props: { step: RunStep }) {
  const target = delegatedTo(props.step);
  if (target === undefined) return null;
  return (
    <span className="sub-run">
      →{' '}
      {target.runId === undefined ? (
        target.agent
      ) : (
        <Link to={`/runs/${target.runId}`} title={target.runId}>
          {runLabel(target.agent, target.runId)}
        </Link>
      )}
    </span>
  );
}
