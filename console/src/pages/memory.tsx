import { type FormEvent, useId, useState } from 'react';
import { del, patch, withQuery } from '../api/client.ts';
import type { Memory } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';

const KINDS = ['', 'fact', 'decision', 'preference', 'procedure', 'episode', 'handoff'];
const SCOPES = ['', 'agent', 'user', 'space', 'workspace'];

function MemoryDetail(props: { id: string; onChanged: () => void; onClose: () => void }) {
  const detail = useApi<{ memory: Memory; changes: unknown[] }>(
    `/api/memories/${encodeURIComponent(props.id)}`,
  );
  const [content, setContent] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const contentId = useId();
  const act = async (action: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      after();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card memory-detail" aria-label="Memory details">
      <AsyncView result={detail} label="the memory" onRetry={detail.reload}>
        {({ memory, changes }) => (
          <>
            <h2>
              {memory.kind} in {memory.scope} scope
            </h2>
            <form
              onSubmit={(event: FormEvent) => {
                event.preventDefault();
                void act(
                  () => patch(`/api/memories/${memory.id}`, { content: content ?? memory.content }),
                  () => {
                    detail.reload();
                    props.onChanged();
                  },
                );
              }}
            >
              <label htmlFor={contentId}>Content</label>
              <textarea
                id={contentId}
                rows={4}
                value={content ?? memory.content}
                onChange={(event) => setContent(event.target.value)}
              />
              <div className="actions">
                <button type="submit" disabled={busy}>
                  Save
                </button>
                <button
                  type="button"
                  className="danger"
                  disabled={busy}
                  onClick={() =>
                    void act(
                      () => del(`/api/memories/${memory.id}`),
                      () => {
                        props.onChanged();
                        props.onClose();
                      },
                    )
                  }
                >
                  Delete
                </button>
                <button type="button" className="secondary" onClick={props.onClose}>
                  Close
                </button>
              </div>
            </form>
            {error !== undefined && <ErrorMessage error={error} context="The memory was not changed" />}
            <dl>
              <dt>Trust</dt>
              <dd>{memory.trust}</dd>
              <dt>Confidence / importance</dt>
              <dd>
                {memory.confidence} / {memory.importance}
              </dd>
              <dt>Subjects</dt>
              <dd>{memory.subjects.join(', ') || '—'}</dd>
              <dt>Valid</dt>
              <dd>
                {formatDate(memory.validFrom)} –{' '}
                {memory.validTo === null ? 'now' : formatDate(memory.validTo)}
              </dd>
            </dl>
            <h3>Provenance</h3>
            <JsonView value={memory.provenance} label="Provenance" />
            <h3>History</h3>
            <JsonView value={changes} label="Changes" />
          </>
        )}
      </AsyncView>
    </section>
  );
}

export function MemoryPage() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState('');
  const [scope, setScope] = useState('');
  const [selected, setSelected] = useState<string | undefined>();
  const memories = useApi<{ memories: Memory[] }>(
    withQuery('/api/memories', { q: query, kind, scope, limit: 50 }),
  );
  const searchId = useId();
  return (
    <section className="page" aria-labelledby="memory-title">
      <h1 id="memory-title">Memory</h1>
      <search>
        <form
          className="filters"
          onSubmit={(event) => {
            event.preventDefault();
            setQuery(q.trim());
          }}
        >
          <label htmlFor={searchId}>Search</label>
          <input id={searchId} type="search" value={q} onChange={(event) => setQ(event.target.value)} />
          <label>
            Kind{' '}
            <select value={kind} onChange={(event) => setKind(event.target.value)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === '' ? 'any' : k}
                </option>
              ))}
            </select>
          </label>
          <label>
            Scope{' '}
            <select value={scope} onChange={(event) => setScope(event.target.value)}>
              {SCOPES.map((s) => (
                <option key={s} value={s}>
                  {s === '' ? 'any' : s}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Search</button>
        </form>
      </search>
      <div className="two-columns">
        <AsyncView result={memories} label="memories" onRetry={memories.reload}>
          {({ memories: list }) =>
            list.length === 0 ? (
              <p>No memories found.</p>
            ) : (
              <ul className="memory-list">
                {list.map((memory) => (
                  <li key={memory.id}>
                    <button
                      type="button"
                      className="link"
                      aria-pressed={selected === memory.id}
                      onClick={() => setSelected(memory.id)}
                    >
                      {memory.content}
                    </button>
                    <span className="muted">
                      {' '}
                      {memory.kind} · {memory.scope} · {String(memory.provenance.source ?? '')}
                      {memory.score !== undefined && ` · score ${memory.score.toFixed(3)}`}
                    </span>
                  </li>
                ))}
              </ul>
            )
          }
        </AsyncView>
        {selected !== undefined && (
          <MemoryDetail
            key={selected}
            id={selected}
            onChanged={memories.reload}
            onClose={() => setSelected(undefined)}
          />
        )}
      </div>
    </section>
  );
}
