import { useEffect, useState } from 'react';
import { post } from '../api/client.ts';
import { useRunStream } from '../api/run-stream.ts';
import type { Agent, Run, RunStatus, RunStep, RunTreeNode } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate, formatDuration, formatUsd, runLabel, shortId } from '../components/format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { Link } from '../router.tsx';
import { Waterfall } from './run-waterfall.tsx';

const ACTIVE: readonly string[] = ['queued', 'running', 'paused'];

function hasActiveNode(node: RunTreeNode): boolean {
  return ACTIVE.includes(node.status) || node.children.some(hasActiveNode);
}

/** Each run of the tree by its agent's name, the run's id on hover. */
function Tree(props: { node: RunTreeNode; current: string; agentName: (id: string) => string }) {
  const label = runLabel(props.agentName(props.node.agentId), props.node.id);
  return (
    <li>
      {props.node.id === props.current ? (
        <strong aria-current="true" title={props.node.id}>
          {label}
        </strong>
      ) : (
        <Link to={`/runs/${props.node.id}`} title={props.node.id}>
          {label}
        </Link>
      )}{' '}
      <StatusBadge status={props.node.status} />
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

/** `status`: the run's latest status, which the event stream may know before the record is read again. */
function RunActions(props: { run: Run; status: RunStatus; onChanged: () => void }) {
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
  const active = ACTIVE.includes(props.status);
  const unknown = active && props.run.pause?.reason === 'tool_outcome_unknown';
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

/**
 * One run: its summary, the journal as a waterfall with policy decisions, and its sub-runs. It follows the
 * run's event stream: each committed step, pause or end reads the record, the journal and the tree again.
 */
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
  const { reload: reloadRun } = run;
  const { reload: reloadSteps } = steps;
  const { reload: reloadTree } = tree;
  const reloadAll = () => {
    reloadRun();
    reloadSteps();
    reloadTree();
  };
  useEffect(() => {
    if (stream.changes === 0) return;
    // A replayed stream delivers many events at once: read again once they settle.
    const timer = setTimeout(() => {
      reloadRun();
      reloadSteps();
      reloadTree();
    }, 50);
    return () => clearTimeout(timer);
  }, [stream.changes, reloadRun, reloadSteps, reloadTree]);
  // Sub-runs change on their own streams: while any is active, read the tree again every two seconds.
  const treeActive = tree.state === 'ready' && hasActiveNode(tree.data.tree);
  useEffect(() => {
    if (!treeActive) return;
    const timer = setInterval(reloadTree, 2_000);
    return () => clearInterval(timer);
  }, [treeActive, reloadTree]);
  return (
    <section className="page" aria-labelledby="run-title">
      <p>
        <Link to="/runs">← All runs</Link>
      </p>
      <h1 id="run-title" title={props.runId}>
        {run.state === 'ready'
          ? runLabel(agentName(run.data.run.agentId), props.runId)
          : `Run …${props.runId.slice(-6)}`}
      </h1>
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
                <span title={record.agentId}>{agentName(record.agentId)}</span> v{record.agentVersion}
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
                {record.finishedAt === null && record.startedAt !== null
                  ? `${formatDuration(record.startedAt, new Date().toISOString())} so far`
                  : formatDuration(record.startedAt, record.finishedAt)}{' '}
                (created {formatDate(record.createdAt)})
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
            <RunActions
              run={record}
              status={stream.finished?.status ?? record.status}
              onChanged={reloadAll}
            />
          </div>
        )}
      </AsyncView>
      <h2>Timeline</h2>
      <button type="button" className="secondary" onClick={reloadAll}>
        Refresh
      </button>
      <AsyncView result={steps} label="the steps" onRetry={steps.reload}>
        {({ steps: list }) =>
          list.length === 0 ? (
            <p>No steps yet.</p>
          ) : (
            <Waterfall
              steps={list}
              decisions={stream.decisions}
              startedAt={run.state === 'ready' ? run.data.run.startedAt : null}
              finishedAt={run.state === 'ready' ? run.data.run.finishedAt : null}
              pause={run.state === 'ready' ? run.data.run.pause : null}
            />
          )
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
