import { useState } from 'react';
import { withQuery } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';
import { useAuditPage } from '../api/use-audit-page.ts';
import { AsyncView } from '../components/async-view.tsx';
import { formatDate } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';
import { AuditActor, AuditResource, searchableText } from './audit-names.tsx';

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

function Pager(props: {
  pageNumber: number;
  newer: (() => void) | undefined;
  older: (() => void) | undefined;
}) {
  return (
    <nav className="pager" aria-label="Audit pages">
      <button type="button" className="secondary" disabled={props.newer === undefined} onClick={props.newer}>
        ← Newer
      </button>
      <span className="muted">Page {props.pageNumber}</span>
      <button type="button" className="secondary" disabled={props.older === undefined} onClick={props.older}>
        Older →
      </button>
    </nav>
  );
}

export function AuditPage() {
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState('');
  const [contains, setContains] = useState('');
  const page = useAuditPage(applied);
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
            value={contains}
            placeholder="a name or id on this page"
            onChange={(event) => setContains(event.target.value)}
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
      <AsyncView result={page} label="audit entries" onRetry={page.reload}>
        {({ entries, names }) => {
          const needle = contains.trim().toLowerCase();
          const shown =
            needle === ''
              ? entries
              : entries.filter((entry) => searchableText(entry, names).includes(needle));
          return (
            <div className="table-wrap" aria-busy={page.busy}>
              {shown.length === 0 ? (
                <p>No entries match{entries.length > 0 ? ' on this page' : ''}.</p>
              ) : (
                <table>
                  <caption className="sr-only">Audit entries, newest first, page {page.pageNumber}</caption>
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
                          <AuditActor entry={entry} names={names} />
                        </td>
                        <td>
                          <code>{entry.action}</code>
                        </td>
                        <td>
                          <AuditResource entry={entry} names={names} />
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
              )}
              <Pager pageNumber={page.pageNumber} newer={page.newer} older={page.older} />
            </div>
          );
        }}
      </AsyncView>
    </section>
  );
}
