import { useState } from 'react';
import { post } from '../api/client.ts';
import { useRunStream } from '../api/run-stream.ts';
import type { Agent, Run, RunStep, RunTreeNode } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate, formatDuration, formatUsd, shortId } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { Link } from '../router.tsx';

type Decision = Record<string, unknown>;

function Timeline(props: { steps: RunStep[]; decisions: Decision[] }) {
  const times = props.steps.flatMap((s) => [
    new Date(s.startedAt).getTime(),
    new Date(s.finishedAt ?? s.startedAt).getTime(),
  ]);
  const start = Math.min(...times);
  const span = Math.max(1, Math.max(...times) - start);
  return (
    <ol className="timeline" aria-label="Steps">
      {props.steps.map((step) => {
        const from = new Date(step.startedAt).getTime();
        const to = new Date(step.finishedAt ?? step.startedAt).getTime();
        const decisions = props.decisions.filter(
          (d) => d.turn === step.turn && d.callIndex === step.callIndex && step.kind === 'tool',
        );
        return (
          <li key={`${step.turn}.${step.callIndex}.${step.kind}`} className={`step step-${step.kind}`}>
            <div className="step-head">
              <span className="step-kind">{step.kind}</span>
              <strong>{step.name ?? ''}</strong>
              <span className="muted">
                turn {step.turn}
                {step.kind === 'tool' ? `, call ${step.callIndex}` : ''}
              </span>
              <StatusBadge status={step.status} />
              <span>{formatDuration(step.startedAt, step.finishedAt)}</span>
              {(step.inputTokens > 0 || step.outputTokens > 0) && (
                <span>
                  {step.inputTokens} in / {step.outputTokens} out tokens
                </span>
              )}
              {step.costUsd > 0 && <span>{formatUsd(step.costUsd)}</span>}
            </div>
            <div
              className="bar"
              role="presentation"
              style={{
                marginLeft: `${((from - start) / span) * 100}%`,
                width: `${Math.max(0.5, ((to - from) / span) * 100)}%`,
              }}
            />
            {decisions.map((d, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: decisions of one call are ordered
              <p key={index} className="policy-decision">
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
            ))}
            <details>
              <summary>Input and result</summary>
              <JsonView
                value={{ input: step.input, result: step.result }}
                label={`Step ${step.turn}.${step.callIndex}`}
              />
            </details>
          </li>
        );
      })}
    </ol>
  );
}

function Tree(props: { node: RunTreeNode; current: string; agentName: (id: string) => string }) {
  return (
    <li>
      {props.node.id === props.current ? (
        <strong aria-current="true">{shortId(props.node.id)}</strong>
      ) : (
        <Link to={`/runs/${props.node.id}`}>{shortId(props.node.id)}</Link>
      )}{' '}
      {props.agentName(props.node.agentId)} <StatusBadge status={props.node.status} />
      {props.node.children.length > 0 && (
        <ul>
          {props.node.children.map((child) => (
            <Tree key={child.id} node={child} current={props.current} agentName={props.agentName} />
          ))}
        </ul>
      )}
    </li>
  );
}

function RunActions(props: { run: Run; onChanged: () => void }) {
  const [error, setError] = useState<Error | undefined>();
  const act = async (path: string, body?: unknown) => {
    setError(undefined);
    try {
      await post(`/api/runs/${props.run.id}/${path}`, body);
      props.onChanged();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  };
  const active = ['queued', 'running', 'paused'].includes(props.run.status);
  const unknown = props.run.pause?.reason === 'tool_outcome_unknown';
  return (
    <div className="actions">
      {active && (
        <button type="button" className="danger" onClick={() => void act('cancel')}>
          Cancel run
        </button>
      )}
      {unknown && (
        <>
          <button type="button" onClick={() => void act('resume', { decision: { action: 'retry' } })}>
            Retry the tool call
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => void act('resume', { decision: { action: 'assume_done' } })}
          >
            Treat as done
          </button>
        </>
      )}
      {error !== undefined && <ErrorMessage error={error} context="The run was not changed" />}
    </div>
  );
}

/** One run: its summary, the journal as a timeline with policy decisions, and its sub-runs. */
export function RunTracePage(props: { runId: string }) {
  const id = encodeURIComponent(props.runId);
  const run = useApi<{ run: Run }>(`/api/runs/${id}`);
  const steps = useApi<{ steps: RunStep[] }>(`/api/runs/${id}/steps`);
  const tree = useApi<{ tree: RunTreeNode }>(`/api/runs/${id}/tree`);
  const stream = useRunStream(props.runId);
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  const agentName = (agentId: string) =>
    agents.state === 'ready'
      ? (agents.data.agents.find((a) => a.id === agentId)?.name ?? shortId(agentId))
      : shortId(agentId);
  const reloadAll = () => {
    run.reload();
    steps.reload();
    tree.reload();
  };
  return (
    <section className="page" aria-labelledby="run-title">
      <p>
        <Link to="/runs">← All runs</Link>
      </p>
      <h1 id="run-title">Run {shortId(props.runId)}</h1>
      <AsyncView result={run} label="the run" onRetry={run.reload}>
        {({ run: record }) => (
          <div className="card run-summary">
            <dl>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={stream.finished?.status ?? record.status} />
              </dd>
              <dt>Task</dt>
              <dd>{String(record.input.task ?? '')}</dd>
              <dt>Agent</dt>
              <dd>
                {agentName(record.agentId)} v{record.agentVersion}
              </dd>
              <dt>Tokens</dt>
              <dd>
                {record.usage.inputTokens} in / {record.usage.outputTokens} out · {record.usage.modelCalls}{' '}
                model calls · {record.usage.toolCalls} tool calls
              </dd>
              <dt>Cost</dt>
              <dd>{formatUsd(record.usage.costUsd)}</dd>
              <dt>Duration</dt>
              <dd>
                {formatDuration(record.startedAt, record.finishedAt)} (created {formatDate(record.createdAt)})
              </dd>
              {record.pause !== null && (
                <>
                  <dt>Paused</dt>
                  <dd>
                    {record.pause.reason}: {record.pause.message}
                    {record.pause.reason === 'approval_required' && (
                      <>
                        {' '}
                        — <Link to="/approvals">open the approvals inbox</Link>
                      </>
                    )}
                  </dd>
                </>
              )}
              {record.output !== null && (
                <>
                  <dt>Output</dt>
                  <dd className="answer-text">{record.output.text}</dd>
                </>
              )}
              {record.error !== null && (
                <>
                  <dt>Error</dt>
                  <dd>
                    <code>{record.error.code}</code> {record.error.message}
                  </dd>
                </>
              )}
            </dl>
            <RunActions run={record} onChanged={reloadAll} />
          </div>
        )}
      </AsyncView>
      <h2>Timeline</h2>
      <button type="button" className="secondary" onClick={reloadAll}>
        Refresh
      </button>
      <AsyncView result={steps} label="the steps" onRetry={steps.reload}>
        {({ steps: list }) =>
          list.length === 0 ? <p>No steps yet.</p> : <Timeline steps={list} decisions={stream.decisions} />
        }
      </AsyncView>
      <h2>Sub-runs</h2>
      <AsyncView result={tree} label="the run tree" onRetry={tree.reload}>
        {({ tree: root }) => (
          <ul className="tree" aria-label="Run tree">
            <Tree node={root} current={props.runId} agentName={agentName} />
          </ul>
        )}
      </AsyncView>
    </section>
  );
}
