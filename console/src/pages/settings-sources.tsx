import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { call, del, typed } from '../api/client.ts';
import { isNotAvailable, useApi } from '../api/use-api.ts';
import { useSave } from '../api/use-save.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate } from '../components/format.ts';
import { StatusBadge } from '../components/status-badge.tsx';

/** The kinds POST /api/sources accepts (src/plugins/knowledge/source-kinds.ts), with an example config each. */
export const SOURCE_KIND_EXAMPLES: Record<string, object> = {
  folder: { path: '/srv/docs' },
  website: { startUrls: ['https://docs.example.com/'], maxDepth: 2, maxPages: 200 },
  git: { repository: 'https://github.com/example/handbook.git', branch: 'main', include: ['docs/**'] },
  'mcp-resources': { server: 'files', uriPrefixes: ['file:///docs/'] },
};
const KINDS = Object.keys(SOURCE_KIND_EXAMPLES);
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_MINUTES = 7 * 24 * 60;

interface SyncCounts {
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  failed: number;
}
interface SourceError {
  code: string;
  message: string;
}
interface Source {
  id: string;
  name: string;
  kind: string;
  spaceId: string | null;
  scheduleMinutes: number | null;
  status: string;
  lastSyncAt: string | null;
  lastError: SourceError | null;
  lastCounts: SyncCounts | null;
}
interface SyncAnswer {
  source: Source;
  result?: { status: string; counts: SyncCounts; error: SourceError | null };
}
interface SourceDocument {
  id: string;
  ref: string;
  title: string | null;
  location: string | null;
  status: string;
  chunks: number;
  error: SourceError | null;
}
interface SpaceOption {
  id: string;
  name: string;
}

export function describeCounts(counts: SyncCounts): string {
  return `${counts.added} added, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.deleted} deleted, ${counts.failed} failed`;
}

/** The workspace's spaces for a "which space" select; an empty list when they cannot be read. */
export function useSpaceOptions(): SpaceOption[] {
  const spaces = useApi<{ spaces: SpaceOption[] }>('/api/spaces');
  return spaces.state === 'ready' ? spaces.data.spaces : [];
}

export function SpaceSelect(props: { id: string; value: string; onChange: (value: string) => void }) {
  const spaces = useSpaceOptions();
  return (
    <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
      <option value="">The whole workspace</option>
      {spaces.map((space) => (
        <option key={space.id} value={space.id}>
          {space.name}
        </option>
      ))}
    </select>
  );
}

function Field(props: {
  id: string;
  label: string;
  problem?: string | undefined;
  hint?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}) {
  const problemId = `${props.id}-problem`;
  const hintId = `${props.id}-hint`;
  const describedBy =
    [props.hint === undefined ? undefined : hintId, props.problem === undefined ? undefined : problemId]
      .filter((part) => part !== undefined)
      .join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children(describedBy, props.problem !== undefined)}
      {props.hint !== undefined && (
        <small id={hintId} className="muted">
          {props.hint}
        </small>
      )}
      {props.problem !== undefined && (
        <small id={problemId} className="field-problem">
          {props.problem}
        </small>
      )}
    </div>
  );
}

type Problems = Partial<Record<'name' | 'config' | 'schedule', string>>;

function AddSourceForm(props: { onAdded: () => void }) {
  const base = useId();
  const [name, setName] = useState('');
  const [kind, setKind] = useState('folder');
  const [space, setSpace] = useState('');
  const [config, setConfig] = useState('');
  const [schedule, setSchedule] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [added, setAdded] = useState<string | undefined>();
  const action = useSave();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(undefined);
    const found: Problems = {};
    if (!NAME_PATTERN.test(name))
      found.name = 'Lowercase letters, digits and dashes, starting with a letter (at most 63).';
    let parsed: unknown;
    try {
      parsed = JSON.parse(config);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        found.config = 'The config must be a JSON object, like the example.';
    } catch (error) {
      found.config = `Not valid JSON: ${(error as Error).message}`;
    }
    const minutes = schedule.trim() === '' ? undefined : Number(schedule);
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES))
      found.schedule = `A whole number of minutes from 1 to ${MAX_MINUTES}, or empty.`;
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    void action.save(async () => {
      await call(
        typed.POST('/api/sources', {
          body: {
            name,
            kind,
            config: parsed as Record<string, unknown>,
            ...(space === '' ? {} : { space }),
            ...(minutes === undefined ? {} : { scheduleMinutes: minutes }),
          },
        }),
      );
      setAdded(name);
      setName('');
      setConfig('');
      setSchedule('');
    }, props.onAdded);
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a data source">
      <fieldset>
        <legend>Add a data source</legend>
        <div className="grid-fields">
          <Field id={`${base}-name`} label="Source name" problem={problems.name}>
            {(describedBy, invalid) => (
              <input
                id={`${base}-name`}
                value={name}
                aria-invalid={invalid}
                aria-describedby={describedBy}
                onChange={(event) => setName(event.target.value)}
              />
            )}
          </Field>
          <Field id={`${base}-kind`} label="Kind">
            {() => (
              <select id={`${base}-kind`} value={kind} onChange={(event) => setKind(event.target.value)}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={`${base}-space`} label="Space (optional)">
            {() => <SpaceSelect id={`${base}-space`} value={space} onChange={setSpace} />}
          </Field>
          <Field
            id={`${base}-schedule`}
            label="Re-sync every (minutes, optional)"
            problem={problems.schedule}
          >
            {(describedBy, invalid) => (
              <input
                id={`${base}-schedule`}
                type="number"
                min={1}
                max={MAX_MINUTES}
                value={schedule}
                aria-invalid={invalid}
                aria-describedby={describedBy}
                onChange={(event) => setSchedule(event.target.value)}
              />
            )}
          </Field>
        </div>
        <Field
          id={`${base}-config`}
          label="Config (JSON)"
          problem={problems.config}
          hint={`For a ${kind} source, for example: ${JSON.stringify(SOURCE_KIND_EXAMPLES[kind])}`}
        >
          {(describedBy, invalid) => (
            <textarea
              id={`${base}-config`}
              rows={5}
              className="code"
              value={config}
              placeholder={JSON.stringify(SOURCE_KIND_EXAMPLES[kind], null, 2)}
              aria-invalid={invalid}
              aria-describedby={describedBy}
              onChange={(event) => setConfig(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Adding…' : 'Add source'}
        </button>
        {added !== undefined && <span role="status"> Added {added}; sync it to read its documents.</span>}
      </fieldset>
      {action.error !== undefined && <ErrorMessage error={action.error} context="The source was not added" />}
    </form>
  );
}

function SourceDocuments(props: { source: Source }) {
  const documents = useApi<{ documents: SourceDocument[] }>(
    `/api/sources/${encodeURIComponent(props.source.id)}/documents`,
  );
  return (
    <AsyncView result={documents} label={`documents of ${props.source.name}`} onRetry={documents.reload}>
      {({ documents: list }) =>
        list.length === 0 ? (
          <p className="muted">No documents yet: sync the source.</p>
        ) : (
          <ul aria-label={`Documents of ${props.source.name}`}>
            {list.map((document) => (
              <li key={document.id}>
                <strong>{document.title ?? document.ref}</strong> <StatusBadge status={document.status} />{' '}
                <span className="muted">
                  {document.ref} · {document.chunks} {document.chunks === 1 ? 'chunk' : 'chunks'}
                </span>
                {document.error !== null && (
                  <div className="field-problem">
                    {document.error.code}: {document.error.message}
                  </div>
                )}
              </li>
            ))}
          </ul>
        )
      }
    </AsyncView>
  );
}

function SourceItem(props: { source: Source; onChanged: () => void }) {
  const { source } = props;
  const [open, setOpen] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [answer, setAnswer] = useState<SyncAnswer | undefined>();
  const sync = useSave();
  const remove = useSave();
  const result = answer?.result;
  return (
    <li className="source">
      <strong>{source.name}</strong> · {source.kind} <StatusBadge status={source.status} />
      <span className="muted">
        {' '}
        · last sync {formatDate(source.lastSyncAt)}
        {source.scheduleMinutes !== null && ` · every ${source.scheduleMinutes} min`}
        {source.lastCounts !== null && ` · ${describeCounts(source.lastCounts)}`}
      </span>
      {source.lastError !== null && (
        <div className="field-problem">
          Last error: {source.lastError.code}: {source.lastError.message}
        </div>
      )}
      <div className="actions">
        <button
          type="button"
          className="secondary"
          disabled={sync.busy}
          onClick={() =>
            void sync.save(async () => {
              setAnswer(undefined);
              const synced = await call(
                typed.POST('/api/sources/{source}/sync', {
                  params: { path: { source: source.id } },
                  body: { wait: true },
                }),
              );
              setAnswer(synced as unknown as SyncAnswer);
              setGeneration((n) => n + 1);
            }, props.onChanged)
          }
        >
          {sync.busy ? 'Syncing…' : 'Sync now'}
          <span className="sr-only"> {source.name}</span>
        </button>
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          Documents<span className="sr-only"> of {source.name}</span>
        </button>
        <button
          type="button"
          className="link danger"
          disabled={remove.busy}
          onClick={() =>
            void remove.save(() => del(`/api/sources/${encodeURIComponent(source.id)}`), props.onChanged)
          }
        >
          Delete<span className="sr-only"> {source.name}</span>
        </button>
      </div>
      {sync.busy && (
        <p className="loading" role="status">
          Syncing {source.name}…
        </p>
      )}
      {result !== undefined && (
        <p role="status" className="sync-result">
          Synced {source.name}: {describeCounts(result.counts)} — <StatusBadge status={result.status} />
          {result.error !== null && (
            <span className="field-problem">
              {' '}
              {result.error.code}: {result.error.message}
            </span>
          )}
        </p>
      )}
      {sync.error !== undefined && <ErrorMessage error={sync.error} context="The sync failed" />}
      {remove.error !== undefined && <ErrorMessage error={remove.error} context="Not deleted" />}
      {open && <SourceDocuments key={generation} source={source} />}
    </li>
  );
}

export function DataSources() {
  const sources = useApi<{ sources: Source[] }>('/api/sources');
  return (
    <section className="card" aria-labelledby="sources-title">
      <h2 id="sources-title">Data sources</h2>
      {sources.state === 'error' && isNotAvailable(sources.error) ? (
        <p className="muted">Not available on this server.</p>
      ) : (
        <>
          <AsyncView result={sources} label="data sources" onRetry={sources.reload}>
            {({ sources: list }) =>
              list.length === 0 ? (
                <p>None yet.</p>
              ) : (
                <ul aria-label="Data sources">
                  {list.map((source) => (
                    <SourceItem key={source.id} source={source} onChanged={sources.reload} />
                  ))}
                </ul>
              )
            }
          </AsyncView>
          <AddSourceForm onAdded={sources.reload} />
        </>
      )}
    </section>
  );
}
