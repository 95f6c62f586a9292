import type { ReactNode } from 'react';

/**
 * A source an answer can cite: a knowledge passage (`[K12]`, from `search_knowledge`'s `citationId`) or a
 * web page a tool returned (`[1]`, numbered in the order seen).
 */
export interface Citation {
  /** What appears between the brackets: `K12`, `1`. */
  key: string;
  title: string;
  /** Opens in a new tab when it is an http(s) URL. */
  url?: string;
  /** A file path or resource URI, shown when there is no URL. */
  location?: string;
}

const isHttp = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\//.test(value);

function knowledgeCitation(record: Record<string, unknown>): Citation | undefined {
  if (typeof record.citationId !== 'string') return undefined;
  const section = typeof record.section === 'string' && record.section !== '' ? ` › ${record.section}` : '';
  const document = typeof record.document === 'string' ? record.document : record.citationId;
  const source = typeof record.source === 'string' ? ` (${record.source})` : '';
  const location = typeof record.location === 'string' ? record.location : undefined;
  return {
    key: record.citationId,
    title: `${document}${section}${source}`,
    ...(isHttp(location) ? { url: location } : location === undefined ? {} : { location }),
  };
}

/** The sources the run's tools returned, knowledge passages by their citation id and pages by number. */
export function collectCitations(outputs: readonly unknown[]): Citation[] {
  const found: Citation[] = [];
  const seen = new Set<string>();
  let pages = 0;
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    const passage = knowledgeCitation(record);
    if (passage !== undefined) {
      if (!seen.has(passage.key)) {
        seen.add(passage.key);
        found.push(passage);
      }
      return;
    }
    const url = record.url ?? record.uri ?? record.href;
    if (isHttp(url) && !seen.has(url)) {
      seen.add(url);
      pages += 1;
      const title = record.title ?? record.name ?? record.source ?? url;
      found.push({ key: String(pages), url, title: String(title) });
    }
    for (const child of Object.values(record)) visit(child, depth + 1);
  };
  for (const output of outputs) visit(output, 0);
  return found;
}

const TOKEN = /(https?:\/\/[^\s)\]]+|\[(?:\d+|K[\w-]+)\])/g;

const anchorOf = (idPrefix: string, key: string) => `${idPrefix}-source-${key}`;

/** Answer text with its links clickable and `[1]` / `[K12]` markers linked to the sources below it. */
export function RichText(props: { text: string; citations: readonly Citation[]; idPrefix: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of props.text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(props.text.slice(last, index));
    const token = match[0];
    if (token.startsWith('[')) {
      const citation = props.citations.find((c) => c.key === token.slice(1, -1));
      parts.push(
        citation === undefined ? (
          token
        ) : (
          <a key={index} href={`#${anchorOf(props.idPrefix, citation.key)}`} title={citation.title}>
            {token}
          </a>
        ),
      );
    } else {
      parts.push(
        <a key={index} href={token} target="_blank" rel="noreferrer noopener">
          {token}
        </a>,
      );
    }
    last = index + token.length;
  }
  if (last < props.text.length) parts.push(props.text.slice(last));
  return <p className="answer-text">{parts}</p>;
}

export function SourceList(props: { citations: readonly Citation[]; idPrefix: string }) {
  if (props.citations.length === 0) return null;
  return (
    <section className="sources" aria-label="Sources">
      <h4>Sources</h4>
      <ul>
        {props.citations.map((c) => (
          <li key={c.key} id={anchorOf(props.idPrefix, c.key)}>
            <span className="citation-key">[{c.key}]</span>{' '}
            {c.url === undefined ? (
              <>
                {c.title}
                {c.location === undefined ? null : (
                  <>
                    {' '}
                    — <code>{c.location}</code>
                  </>
                )}
              </>
            ) : (
              <a href={c.url} target="_blank" rel="noreferrer noopener">
                {c.title}
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
