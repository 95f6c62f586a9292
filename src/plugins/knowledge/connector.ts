/**
 * A connector reads one data source's documents from outside (a folder, a website, a git repository,
 * an MCP server's resources). The sync engine owns everything after that: hashing, parsing, chunking,
 * storing, deleting what disappeared, and recording errors. A connector never touches the store.
 */

/** A document as the connector found it: raw bytes plus where it came from. */
export interface FetchedDocument {
  kind: 'document';
  /**
   * Stable identity inside the source (relative path, canonical URL, resource URI). The same document
   * gets the same ref on every sync; a ref missing from a complete listing is a deletion.
   */
  ref: string;
  /** Human title when the connector knows one (else the sync engine derives it from the content or ref). */
  title?: string;
  /** Where a reader can open it: an http(s) URL, a file path, or a resource URI. Shown in citations. */
  location: string;
  /** A media type (`text/markdown`, `application/pdf`, …) or a file name to guess it from. */
  mediaType: string;
  content: Uint8Array;
  /**
   * Text that must never be stored, removed from the parsed text and title before chunking (an MCP
   * server's credentials: the connector redacts the raw content too, but a parser may uncover more).
   */
  redact?: (text: string) => string;
}

/** A document the connector could not fetch; recorded against the source, the sync goes on. */
export interface DocumentFailure {
  kind: 'failure';
  ref: string;
  location: string;
  /** Stable code, e.g. `fetch.http_status`, `robots.disallowed`, `resource.read_failed`. */
  code: string;
  message: string;
}

export type ConnectorItem = FetchedDocument | DocumentFailure;

export interface ConnectorContext {
  /** Aborted when the sync is cancelled or the process stops. */
  signal: AbortSignal;
  /** Progress and warnings for the sync's log (never content). */
  log: (message: string) => void;
}

export interface Connector {
  /**
   * Every document currently in the source, each once. When the iteration ends normally the listing is
   * complete, and the sync engine removes documents whose refs were not seen. When it throws, the sync
   * fails as a whole and nothing is deleted.
   */
  list(context: ConnectorContext): AsyncIterable<ConnectorItem>;
}
