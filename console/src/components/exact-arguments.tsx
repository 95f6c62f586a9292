import { useEffect, useState } from 'react';
import { toolCallArguments } from '../api/tool-call-arguments.ts';
import type { Approval } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { JsonView, parseMaybeJson } from './json-view.tsx';

type Call = Pick<Approval, 'runId' | 'turn' | 'callIndex' | 'tool' | 'arguments'>;

/** Approvals stored before they kept their arguments: read the call from the run's journal instead. */
function JournalArguments(props: { call: Call }) {
  const { runId, turn, callIndex } = props.call;
  const [state, setState] = useState<{ text?: string; error?: string; loading: boolean }>({ loading: true });
  useEffect(() => {
    const controller = new AbortController();
    toolCallArguments(runId, turn, callIndex, controller.signal).then(
      (text) =>
        setState(
          text === undefined ? { loading: false, error: 'not in the run journal' } : { loading: false, text },
        ),
      (error: unknown) => {
        if (!controller.signal.aborted)
          setState({ loading: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, [runId, turn, callIndex]);
  if (state.loading) return <p role="status">Loading the arguments…</p>;
  if (state.error !== undefined)
    return (
      <p className="error" role="alert">
        Arguments unavailable: {state.error}
      </p>
    );
  return <JsonView value={parseMaybeJson(state.text)} label={`Arguments of ${props.call.tool}`} />;
}

/** The exact arguments of the call an approval covers (secret ones masked by the server). */
export function ExactArguments(props: { approval: Call }) {
  if (props.approval.arguments === null || props.approval.arguments === undefined)
    return <JournalArguments call={props.approval} />;
  return <JsonView value={props.approval.arguments} label={`Arguments of ${props.approval.tool}`} />;
}

/** The same, for an approval known only by id (a paused reply in Chat). */
export function ApprovalArguments(props: { approvalId: string }) {
  const approval = useApi<{ approval: Approval }>(`/api/approvals/${encodeURIComponent(props.approvalId)}`);
  if (approval.state === 'loading') return <p role="status">Loading the arguments…</p>;
  if (approval.state === 'error')
    return (
      <p className="error" role="alert">
        Arguments unavailable: {approval.error.message}
      </p>
    );
  return <ExactArguments approval={approval.data.approval} />;
}
