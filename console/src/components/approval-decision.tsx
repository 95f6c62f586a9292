import { type FormEvent, useId, useState } from 'react';
import { post } from '../api/client.ts';
import { ErrorMessage } from './error-message.tsx';

/** Approve, or deny with a reason (the model is told it), one pending approval. */
export function ApprovalDecision(props: {
  approvalId: string;
  tool: string;
  onDecided: (approved: boolean) => void;
}) {
  const [reason, setReason] = useState('');
  const [denying, setDenying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const reasonId = useId();

  const decide = async (approve: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      await post(
        `/api/approvals/${encodeURIComponent(props.approvalId)}/${approve ? 'approve' : 'deny'}`,
        approve ? undefined : { reason },
      );
      props.onDecided(approve);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };

  const onDeny = (event: FormEvent) => {
    event.preventDefault();
    void decide(false);
  };

  return (
    <div className="decision">
      {!denying ? (
        <div className="actions">
          <button type="button" disabled={busy} onClick={() => void decide(true)}>
            Approve {props.tool}
          </button>
          <button type="button" className="danger" disabled={busy} onClick={() => setDenying(true)}>
            Deny…
          </button>
        </div>
      ) : (
        <form onSubmit={onDeny} className="actions">
          <label htmlFor={reasonId}>Reason for denying</label>
          <input id={reasonId} required value={reason} onChange={(event) => setReason(event.target.value)} />
          <button type="submit" className="danger" disabled={busy || reason.trim() === ''}>
            Deny {props.tool}
          </button>
          <button type="button" className="secondary" onClick={() => setDenying(false)}>
            Cancel
          </button>
        </form>
      )}
      {error !== undefined && <ErrorMessage error={error} context="The decision was not recorded" />}
    </div>
  );
}
