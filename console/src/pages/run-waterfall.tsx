import { useEffect, useState } from 'react';
import type { RunPause, RunStep } from '../api/types.ts';
import { ChartArtefacts } from '../components/chart-artefacts.tsx';
import { formatMs, formatUsd } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { Link } from '../router.tsx';
import { SubRunLink } from './sub-run-link.tsx';

type Decision = Record<string, unknown>;

/** How a step reads in the trace: its journal status, or `denied` when the gate or a person refused the call. */
export function stepOutcome(
  step: RunStep,
  decisions: readonly Decision[],
): { status: string; detail?: string } {
  if (step.kind !== 'tool') return { status: step.status };
  const result = (step.result ?? {}) as { isError?: unknown; via?: unknown; output?: unknown };
  const last = decisions.at(-1);
  const denied = last?.effect === 'deny' || (result.isError === true && result.via === 'decision');
  if (!denied) return { status: step.status };
  // The result is what the model was told: who denied the call and why ("The call was denied by …: …").
  const detail =
    typeof result.output === 'string'
      ? result.output
      : typeof last?.reason === 'string'
        ? last.reason
        : undefined;
  return { status: 'denied', ...(detail === undefined ? {} : { detail }) };
}

/** The current time, re-read every second while `live`, so running bars grow. */
function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [live]);
  return live ? now : Date.now();
}

function PolicyDecision(props: { decision: Decision }) {
  const d = props.decision;
  return (
    <p className="policy-decision">
      Policy: <strong>{String(d.effect)}</strong> by rule <code>{String(d.ruleId)}</code>
      {typeof d.stakes === 'string' && ` · stakes ${d.stakes}`}
      {typeof d.labels === 'object' &&
        d.labels !== null &&
        Object.entries(d.labels).map(([key, value]) => (
          <span key={key} className="label-chip">
            {key}: {String(value)}
          </span>
        ))}
      {typeof d.reason === 'string' && <span className="muted"> — {d.reason}</span>}
    </p>
  );
}

/** A call the run is paused on that has no journal row yet (an approval is asked before the call is written). */
function AwaitingRow(props: { pause: RunPause }) {
  const { pause } = props;
  return (
    <li className="step step-tool step-awaiting">
      <div className="step-head">
        <span className="step-kind">tool</span>
        <strong>{pause.tool}</strong>
        <span className="muted">
          turn {pause.turn}, call {pause.callIndex}
        </span>
        <StatusBadge status="awaiting approval" />
        <span className="muted">
          {pause.message} — <Link to="/approvals">open the approvals inbox</Link>
        </span>
      </div>
    </li>
  );
}

export interface WaterfallProps {
  steps: RunStep[];
  decisions: readonly Decision[];
  /** When the run started and ended (ISO); an unfinished run's bars reach to now. */
  startedAt: string | null;
  finishedAt: string | null;
  pause: RunPause | null;
}

/** The journal as a waterfall: one bar per step, placed and sized by its real time from the run's start. */
export function Waterfall(props: WaterfallProps) {
  const live = props.finishedAt === null;
  const now = useNow(live);
  const stepTimes = props.steps.map((step) => ({
    from: new Date(step.startedAt).getTime(),
    to: step.finishedAt === null ? now : new Date(step.finishedAt).getTime(),
  }));
  const start =
    props.startedAt === null ? Math.min(...stepTimes.map((t) => t.from)) : Date.parse(props.startedAt);
  const end = Math.max(
    props.finishedAt === null ? now : Date.parse(props.finishedAt),
    ...stepTimes.map((t) => t.to),
  );
  const span = Math.max(1, end - start);
  const pause = props.pause;
  const waitsUnwritten =
    pause !== null &&
    pause.reason === 'approval_required' &&
    !props.steps.some((s) => s.kind === 'tool' && s.turn === pause.turn && s.callIndex === pause.callIndex);
  return (
    <ol className="timeline" aria-label="Steps">
      <li className="timeline-scale muted" aria-hidden="true">
        <span>0 ms</span>
        <span>{formatMs(span)}</span>
      </li>
      {props.steps.map((step, index) => {
        const { from, to } = stepTimes[index] ?? { from: start, to: start };
        const decisions = props.decisions.filter(
          (d) => step.kind === 'tool' && d.turn === step.turn && d.callIndex === step.callIndex,
        );
        const outcome = stepOutcome(step, decisions);
        const waiting =
          pause?.reason === 'question' &&
          step.status === 'started' &&
          step.turn === pause.turn &&
          step.callIndex === pause.callIndex;
        const status = waiting ? 'awaiting answer' : outcome.status;
        return (
          <li
            key={`${step.turn}.${step.callIndex}.${step.kind}`}
            className={`step step-${step.kind}`}
            data-status={status}
          >
            <div className="step-head">
              <span className="step-kind">{step.kind}</span>
              <strong>{step.name ?? ''}</strong>
              <SubRunLink step={step} />
              <span className="muted">
                turn {step.turn}
                {step.kind === 'tool' ? `, call ${step.callIndex}` : ''}
              </span>
              <StatusBadge status={status} />
              <span className="step-duration">
                {step.durationMs === null ? `${formatMs(to - from)} so far` : formatMs(step.durationMs)}
              </span>
              <span className="muted">at +{formatMs(Math.max(0, from - start))}</span>
              {(step.inputTokens > 0 || step.outputTokens > 0) && (
                <span>
                  {step.inputTokens} in / {step.outputTokens} out tokens
                </span>
              )}
              {step.costUsd > 0 && <span>{formatUsd(step.costUsd)}</span>}
            </div>
            <div className="bar-track" role="presentation">
              <div
                className={`bar${status === 'denied' ? ' bar-denied' : ''}`}
                style={{
                  marginLeft: `${((from - start) / span) * 100}%`,
                  width: `${Math.max(0.5, ((to - from) / span) * 100)}%`,
                }}
              />
            </div>
            {outcome.detail !== undefined && <p className="step-denial">{outcome.detail}</p>}
            {step.kind === 'tool' && (
              <ChartArtefacts output={(step.result as { output?: unknown } | null)?.output} />
            )}
            {decisions.map((d, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: decisions of one call are ordered
              <PolicyDecision key={n} decision={d} />
            ))}
            <details>
              <summary>{step.kind === 'model' ? 'Prompt and reply' : 'Input and result'}</summary>
              <JsonView
                value={{ input: step.input, result: step.result }}
                label={`Step ${step.turn}.${step.callIndex}`}
              />
            </details>
          </li>
        );
      })}
      {waitsUnwritten && <AwaitingRow pause={pause} />}
    </ol>
  );
}
