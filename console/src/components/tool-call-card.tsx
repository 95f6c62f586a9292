import type { ToolCallView } from '../api/run-stream.ts';
import { ChartArtefacts } from './chart-artefacts.tsx';
import { JsonView, parseMaybeJson } from './json-view.tsx';
import { StatusBadge } from './status-badge.tsx';

function Labels(props: { labels: Record<string, unknown> | undefined }) {
  if (props.labels === undefined) return null;
  return (
    <>
      {Object.entries(props.labels).map(([key, value]) => (
        <span key={key} className="label-chip">
          {key}: {String(value)}
        </span>
      ))}
    </>
  );
}

/** What a call's badge says: denied by the gate or a person, paused on a person, running, or its result. */
export function toolCallStatus(call: ToolCallView): string {
  if (call.decision?.effect === 'deny') return 'denied';
  if (call.output !== undefined) return call.isError === true ? 'error' : 'done';
  if (call.awaiting === 'approval') return 'awaiting approval';
  if (call.awaiting === 'answer') return 'awaiting answer';
  return 'running';
}

/** A tool call in the chat: collapsed to its name and status, opened to its exact arguments and result. */
export function ToolCallCard(props: { call: ToolCallView }) {
  const { call } = props;
  const status = toolCallStatus(call);
  return (
    <details className="tool-card">
      <summary>
        <span className="tool-name">{call.name || 'tool'}</span> <StatusBadge status={status} />
        {call.decision !== undefined && (
          <span className="policy">
            policy: {call.decision.effect} ({call.decision.ruleId})
          </span>
        )}
        <Labels labels={call.decision?.labels} />
      </summary>
      <div className="tool-card-body">
        {call.decision?.reason !== undefined && <p className="muted">{call.decision.reason}</p>}
        <h4>Arguments</h4>
        <JsonView value={parseMaybeJson(call.arguments)} label={`Arguments of ${call.name}`} />
        {call.output !== undefined && (
          <>
            <h4>Result</h4>
            <ChartArtefacts output={call.output} />
            <JsonView value={call.output} label={`Result of ${call.name}`} />
          </>
        )}
      </div>
    </details>
  );
}
