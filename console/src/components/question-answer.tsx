import { type FormEvent, useId, useState } from 'react';
import { post } from '../api/client.ts';
import { ErrorMessage } from './error-message.tsx';

/** Answers an agent's ask_human question (`POST /api/runs/:id/answer`). */
export function QuestionAnswer(props: { runId: string; question: string; choices?: string[] | undefined }) {
  const [answer, setAnswer] = useState('');
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<Error | undefined>();
  const inputId = useId();

  const send = async (text: string) => {
    setState('sending');
    setError(undefined);
    try {
      await post(`/api/runs/${encodeURIComponent(props.runId)}/answer`, { answer: text });
      setState('sent');
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      setState('idle');
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send(answer);
  };

  if (state === 'sent') return <p role="status">Answer sent; the run continues.</p>;
  return (
    <form className="question" onSubmit={onSubmit}>
      <p>
        <strong>The agent asks:</strong> {props.question}
      </p>
      {props.choices !== undefined && props.choices.length > 0 && (
        <div className="actions">
          {props.choices.map((choice) => (
            <button
              key={choice}
              type="button"
              className="secondary"
              disabled={state === 'sending'}
              onClick={() => void send(choice)}
            >
              {choice}
            </button>
          ))}
        </div>
      )}
      <label htmlFor={inputId}>Your answer</label>
      <input id={inputId} required value={answer} onChange={(event) => setAnswer(event.target.value)} />
      <button type="submit" disabled={state === 'sending' || answer.trim() === ''}>
        Answer
      </button>
      {error !== undefined && <ErrorMessage error={error} context="The answer was not sent" />}
    </form>
  );
}
