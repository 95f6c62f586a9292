import { useState } from 'react';
import type { Approval, AuditEntry } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { ApprovalDecision } from '../components/approval-decision.tsx';
import { AsyncView } from '../components/async-view.tsx';
import { ExactArguments } from '../components/exact-arguments.tsx';
import { formatDate, shortId } from '../components/format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { Link } from '../router.tsx';
import { useWhoami } from '../session.tsx';

/** The labels the policy gate saw (trusted or untrusted context), from its audited decision. */
function useDecisionLabels(admin: boolean) {
  return useApi<{ entries: AuditEntry[] }>(admin ? '/api/audit?action=policy.decision&limit=500' : undefined);
}

export function ApprovalsPage() {
  const whoami = useWhoami();
  const [status, setStatus] = useState<'pending' | 'approved' | 'denied' | 'expired' | ''>('pending');
  const approvals = useApi<{ approvals: Approval[] }>(
    status === '' ? '/api/approvals' : `/api/approvals?status=${status}`,
  );
  const decisions = useDecisionLabels(whoami.role === 'admin');
  const labelsOf = (approval: Approval) => {
    if (decisions.state !== 'ready') return undefined;
    const entry = decisions.data.entries.find((e) => e.data.approvalId === approval.id);
    return entry?.data.labels as Record<string, unknown> | undefined;
  };
  return (
    <section className="page" aria-labelledby="approvals-title">
      <div className="page-head">
        <h1 id="approvals-title">Approvals</h1>
        <label>
          Show{' '}
          <select value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
            <option value="pending">pending</option>
            <option value="approved">approved</option>
            <option value="denied">denied</option>
            <option value="expired">expired</option>
            <option value="">all</option>
          </select>
        </label>
        <button type="button" className="secondary" onClick={approvals.reload}>
          Refresh
        </button>
      </div>
      <AsyncView result={approvals} label="approvals" onRetry={approvals.reload}>
        {({ approvals: list }) =>
          list.length === 0 ? (
            <p>No {status} approvals.</p>
          ) : (
            <ul className="cards">
              {list.map((approval) => {
                const labels = labelsOf(approval);
                return (
                  <li key={approval.id} className="card approval">
                    <h2>
                      {approval.tool} <StatusBadge status={approval.status} />
                    </h2>
                    <p>
                      {approval.reason} — rule <code>{approval.ruleId}</code>
                    </p>
                    <p className="muted">
                      Run <Link to={`/runs/${approval.runId}`}>{shortId(approval.runId)}</Link>, turn{' '}
                      {approval.turn}, call {approval.callIndex}; requested {formatDate(approval.requestedAt)}
                      , expires {formatDate(approval.expiresAt)}
                    </p>
                    <p>
                      Labels:{' '}
                      {labels === undefined
                        ? decisions.state === 'error' || whoami.role !== 'admin'
                          ? 'visible to admins in the audit log'
                          : '…'
                        : Object.entries(labels).map(([key, value]) => (
                            <span key={key} className="label-chip">
                              {key}: {String(value)}
                            </span>
                          ))}
                    </p>
                    <h3>Exact arguments</h3>
                    <ExactArguments approval={approval} />
                    {approval.status === 'pending' ? (
                      <ApprovalDecision
                        approvalId={approval.id}
                        tool={approval.tool}
                        onDecided={approvals.reload}
                      />
                    ) : (
                      <p className="muted">
                        Decided by {approval.decidedByName ?? approval.decidedBy ?? '—'} at{' '}
                        {formatDate(approval.decidedAt)}
                        {approval.decisionReason !== null && `: ${approval.decisionReason}`}
                      </p>
                    )}
                  </li>
                );
              })}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
