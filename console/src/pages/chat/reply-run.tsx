import { useState } from 'react';
import { useRunStream } from '../../api/run-stream.ts';
import { ApprovalDecision } from '../../components/approval-decision.tsx';
import { ApprovalArguments } from '../../components/exact-arguments.tsx';
import { QuestionAnswer } from '../../components/question-answer.tsx';
import { collectCitations, RichText, SourceList } from '../../components/rich-text.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { ToolCallCard } from '../../components/tool-call-card.tsx';
import { Link } from '../../router.tsx';

/**
 * A reply to the signed-in user's own message, followed on its run's event stream: the text as it streams,
 * tool calls, the sources it cites, and an approval or question inline when the run pauses for one.
 */
export function ReplyRun(props: { runId: string; agentName: string; written: string | undefined }) {
  const { runId } = props;
  const stream = useRunStream(runId);
  const [decided, setDecided] = useState<string | undefined>();
  const outputs = stream.items.flatMap((item) => (item.kind === 'tool' ? [item.call.output] : []));
  const citations = collectCitations(outputs);
  const prefix = `run-${runId}`;
  const pause = stream.pause;
  const hasText = stream.items.some((item) => item.kind === 'text');
  return (
    <article
      className="bubble assistant"
      aria-label={`Reply from ${props.agentName}`}
      aria-live="polite"
      aria-busy={stream.finished === undefined}
    >
      <header className="exchange-head">
        <span className="reply-agent">{props.agentName}</span>
        <StatusBadge status={stream.finished?.status ?? (pause !== undefined ? 'paused' : 'running')} />
        <Link to={`/runs/${runId}`}>Trace</Link>
      </header>
      {stream.items.map((item) =>
        item.kind === 'text' ? (
          <RichText key={`t${item.turn}`} text={item.text} citations={citations} idPrefix={prefix} />
        ) : (
          <ToolCallCard key={`c${item.call.turn}.${item.call.callIndex}`} call={item.call} />
        ),
      )}
      {!hasText && stream.finished !== undefined && props.written !== undefined && props.written !== '' && (
        <RichText text={props.written} citations={citations} idPrefix={prefix} />
      )}
      {stream.items.length === 0 && stream.finished === undefined && (
        <p className="loading" role="status">
          Thinking…
        </p>
      )}
      {pause?.reason === 'approval_required' && decided !== pause.approvalId && (
        <section className="inline-approval" aria-label="Approval needed">
          <p>
            <strong>Approval needed:</strong> {pause.message} <code>{pause.ruleId}</code>
          </p>
          <ApprovalArguments approvalId={pause.approvalId} />
          <ApprovalDecision
            approvalId={pause.approvalId}
            tool={pause.tool}
            onDecided={() => setDecided(pause.approvalId)}
          />
        </section>
      )}
      {pause?.reason === 'question' && (
        <QuestionAnswer runId={runId} question={pause.question} choices={pause.choices} />
      )}
      {pause?.reason === 'tool_outcome_unknown' && (
        <p className="error" role="alert">
          {pause.message} — decide on the <Link to={`/runs/${runId}`}>run's page</Link>.
        </p>
      )}
      {stream.finished?.error != null && (
        <p className="error" role="alert">
          {stream.finished.error.message}
        </p>
      )}
      <SourceList citations={citations} idPrefix={prefix} />
    </article>
  );
}

/**
 * A reply to someone else's message: its run acts for them, so this reader sees the written text, or what
 * the conversation's event stream has delivered of it so far.
 */
export function ReplyText(props: { agentName: string; text: string; status: string; runId: string }) {
  const busy = !['succeeded', 'failed', 'cancelled', 'budget_exceeded', 'finished'].includes(props.status);
  return (
    <article
      className="bubble assistant"
      aria-label={`Reply from ${props.agentName}`}
      aria-live="polite"
      aria-busy={busy}
    >
      <header className="exchange-head">
        <span className="reply-agent">{props.agentName}</span>
        <StatusBadge status={props.status} />
      </header>
      {props.text === '' && busy ? (
        <p className="loading" role="status">
          Thinking…
        </p>
      ) : (
        <RichText text={props.text} citations={[]} idPrefix={`run-${props.runId}`} />
      )}
    </article>
  );
}
