import { useState } from 'react';
import { withQuery } from '../api/client.ts';
import type { AuditEntry } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { useAuditEntries } from '../api/use-audit-entries.ts';
import { AsyncView } from '../components/async-view.tsx';
import { formatDate } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';

function VerifyStatus() {
  const verify = useApi<Record<string, unknown>>('/api/audit/verify');
  return (
    <section className="card" aria-labelledby="verify-title">
      <h2 id="verify-title">Chain verification</h2>
      <AsyncView result={verify} label="the verification" onRetry={verify.reload}>
        {(result) => (
          <>
            <p role="status">
              {result.ok === true ? (
                <span className="badge badge-succeeded">verified</span>
              ) : (
                <span className="badge badge-failed">NOT verified</span>
              )}{' '}
              {typeof result.entries === 'number' && `${result.entries} entries checked`}
            </p>
            <details>
              <summary>Details</summary>
              <JsonView value={result} label="Verification result" />
            </details>
            <button type="button" className="secondary" onClick={verify.reload}>
              Verify again
            </button>
          </>
        )}
      </AsyncView>
    </section>
  );
}

export function AuditPage() {
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState('');
  const [resource, setResource] = useState('');
  const entries = useAuditEntries(applied);
  const match = (entry: AuditEntry) =>
    resource === '' ||
    JSON.stringify([entry.resource, entry.data, entry.actor]).toLowerCase().includes(resource.toLowerCase());
  return (
    <section className="page" aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <VerifyStatus />
      <form
        className="filters"
        aria-label="Filter the audit log"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied(action.trim());
        }}
      >
        <label>
          Action{' '}
          <input
            value={action}
            placeholder="e.g. run.start, tool.call"
            onChange={(event) => setAction(event.target.value)}
          />
        </label>
        <label>
          Contains{' '}
          <input
            value={resource}
            placeholder="a run id, user id…"
            onChange={(event) => setResource(event.target.value)}
          />
        </label>
        <button type="submit">Filter</button>
        <a
          className="button secondary"
          href={withQuery('/api/audit/export', { action: applied })}
          download="audit.jsonl"
        >
          Export JSONL
        </a>
      </form>
      <AsyncView result={entries} label="audit entries" onRetry={entries.reload}>
        {({ entries: list, truncated }) => {
          const shown = list.filter(match);
          return shown.length === 0 ? (
            <p>No entries match.</p>
          ) : (
            <div className="table-wrap">
              {truncated && (
                <p className="muted">
                  Showing the oldest 20 000 matching entries; narrow the filter to see newer ones.
                </p>
              )}
              <table>
                <caption className="sr-only">Audit entries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">At</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Resource</th>
                    <th scope="col">Data</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((entry) => (
                    <tr key={entry.seq}>
                      <td>{entry.seq}</td>
                      <td>{formatDate(entry.at)}</td>
                      <td>
                        {String(entry.actor.type)}:{String(entry.actor.id)}
                      </td>
                      <td>
                        <code>{entry.action}</code>
                      </td>
                      <td>
                        {String(entry.resource.type)} {String(entry.resource.id ?? '')}
                      </td>
                      <td>
                        <details>
                          <summary>data</summary>
                          <JsonView value={entry.data} label={`Data of entry ${entry.seq}`} />
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </AsyncView>
    </section>
  );
}
