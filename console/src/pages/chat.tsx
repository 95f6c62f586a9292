import { type FormEvent, type KeyboardEvent, useEffect, useId, useState } from 'react';
import { call, typed } from '../api/client.ts';
import { useRunStream } from '../api/run-stream.ts';
import type { Agent } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { ApprovalDecision } from '../components/approval-decision.tsx';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { QuestionAnswer } from '../components/question-answer.tsx';
import { collectCitations, RichText, SourceList } from '../components/rich-text.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { ToolCallCard } from '../components/tool-call-card.tsx';
import { Link } from '../router.tsx';

interface Exchange {
  runId: string;
  task: string;
  agent: string;
}

/** One task and the run answering it, streamed as it happens. */
function RunExchange(props: { exchange: Exchange }) {
  const { runId, task, agent } = props.exchange;
  const stream = useRunStream(runId);
  const [decided, setDecided] = useState<string | undefined>();
  const outputs = stream.items.flatMap((item) => (item.kind === 'tool' ? [item.call.output] : []));
  const citations = collectCitations(outputs);
  const prefix = `run-${runId}`;
  const pause = stream.pause;
  return (
    <li className="exchange">
      <div className="bubble user">
        <span className="sr-only">You asked {agent === '' ? 'the router' : agent}: </span>
        {task}
      </div>
      <article className="bubble assistant" aria-live="polite" aria-busy={stream.finished === undefined}>
        <header className="exchange-head">
          <span>{stream.routedTo ?? (agent === '' ? 'routed' : agent)}</span>
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
    </li>
  );
}

/** The conversation survives moving to another page and back (this tab only); the runs themselves are on the server. */
const CONVERSATION_KEY = 'agentos.chat';

function loadConversation(): Exchange[] {
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(CONVERSATION_KEY) ?? '[]') as unknown;
    return Array.isArray(stored) ? (stored as Exchange[]) : [];
  } catch {
    return [];
  }
}

export function ChatPage() {
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  const [agent, setAgent] = useState(() => loadConversation().at(-1)?.agent ?? '');
  const [task, setTask] = useState('');
  const [exchanges, setExchanges] = useState<Exchange[]>(loadConversation);
  useEffect(() => {
    window.sessionStorage.setItem(CONVERSATION_KEY, JSON.stringify(exchanges.slice(-50)));
  }, [exchanges]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const agentId = useId();
  const taskId = useId();

  const send = async () => {
    if (task.trim() === '') return;
    setSending(true);
    setError(undefined);
    try {
      const body = agent === '' ? { task } : { agent, task };
      const { run } = await call(typed.POST('/api/runs', { body }));
      setExchanges((list) => [...list, { runId: run.id, task, agent }]);
      setTask('');
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setSending(false);
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <section className="page chat" aria-labelledby="chat-title">
      <h1 id="chat-title">Chat</h1>
      <AsyncView result={agents} label="agents" onRetry={agents.reload}>
        {({ agents: list }) => (
          <>
            {exchanges.length > 0 && (
              <button type="button" className="secondary" onClick={() => setExchanges([])}>
                New conversation
              </button>
            )}
            {list.length === 0 && (
              <p>
                No agents yet. <Link to="/agents/new">Create one</Link> first.
              </p>
            )}
            <ol className="conversation" aria-label="Conversation">
              {exchanges.map((exchange) => (
                <RunExchange key={exchange.runId} exchange={exchange} />
              ))}
            </ol>
            <form className="composer" onSubmit={onSubmit}>
              <div className="field">
                <label htmlFor={agentId}>Agent</label>
                <select id={agentId} value={agent} onChange={(event) => setAgent(event.target.value)}>
                  <option value="">Route automatically</option>
                  {list.map((a) => (
                    <option key={a.id} value={a.name}>
                      {a.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field grow">
                <label htmlFor={taskId}>Message</label>
                <textarea
                  id={taskId}
                  rows={3}
                  value={task}
                  onChange={(event) => setTask(event.target.value)}
                  onKeyDown={onKeyDown}
                  placeholder="Ask the agent to do something (Enter sends, Shift+Enter for a new line)"
                />
              </div>
              <button type="submit" disabled={sending || task.trim() === ''}>
                {sending ? 'Sending…' : 'Send'}
              </button>
            </form>
            {error !== undefined && <ErrorMessage error={error} context="The message was not sent" />}
          </>
        )}
      </AsyncView>
    </section>
  );
}
