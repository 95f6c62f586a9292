import type { ReactNode } from 'react';

export interface Citation {
  n: number;
  url: string;
  title: string;
}

/** Sources the tools returned (anything with a url/uri and, ideally, a title), numbered in the order seen. */
export function collectCitations(outputs: readonly unknown[]): Citation[] {
  const found: Citation[] = [];
  const seen = new Set<string>();
  const visit = (value: unknown, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    const url = record.url ?? record.uri ?? record.href;
    if (typeof url === 'string' && /^https?:\/\//.test(url) && !seen.has(url)) {
      seen.add(url);
      const title = record.title ?? record.name ?? record.source ?? url;
      found.push({ n: found.length + 1, url, title: String(title) });
    }
    for (const child of Object.values(record)) visit(child, depth + 1);
  };
  for (const output of outputs) visit(output, 0);
  return found;
}

const TOKEN = /(https?:\/\/[^\s)\]]+|\[\d+\])/g;

/** Answer text with its links clickable and `[n]` markers linked to the numbered sources below it. */
export function RichText(props: { text: string; citations: readonly Citation[]; idPrefix: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of props.text.matchAll(TOKEN)) {
    const index = match.index ?? 0;
    if (index > last) parts.push(props.text.slice(last, index));
    const token = match[0];
    if (token.startsWith('[')) {
      const n = Number(token.slice(1, -1));
      const citation = props.citations.find((c) => c.n === n);
      parts.push(
        citation === undefined ? (
          token
        ) : (
          <a key={index} href={`#${props.idPrefix}-source-${n}`} title={citation.title}>
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
      <ol>
        {props.citations.map((c) => (
          <li key={c.n} id={`${props.idPrefix}-source-${c.n}`}>
            <a href={c.url} target="_blank" rel="noreferrer noopener">
              {c.title}
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}
