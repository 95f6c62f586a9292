import type { ContentSource } from '../../core/tools/value-provenance.ts';
import type { ConversationSnapshot, HistoryEntry } from './conversation-history.ts';

function kindOf(entry: Pick<HistoryEntry, 'kind' | 'untrusted'>): ContentSource['kind'] {
  if (entry.untrusted === true) return 'untrusted';
  // The run's own user's message is the principal's word; an agent's reply written from trusted input only
  // is as trusted as a trusted tool's output.
  return entry.kind === 'user' ? 'user' : 'trusted_tool';
}

/**
 * A conversation's history as the places a tool call's argument values may come from: the run's user's
 * messages are theirs, another person's messages and replies written after untrusted content are
 * untrusted, a summary is as trusted as what it folds in.
 */
export function historySources(snapshot: ConversationSnapshot): ContentSource[] {
  const sources: ContentSource[] = [];
  if (snapshot.summary !== null) {
    sources.push({
      origin: `the conversation's summary (messages up to #${snapshot.summary.uptoSeq})`,
      kind: snapshot.summary.untrusted === true ? 'untrusted' : 'trusted_tool',
      text: snapshot.summary.text,
    });
  }
  for (const entry of snapshot.messages) {
    sources.push({
      origin: `the conversation's message #${entry.seq} (${entry.name}${entry.kind === 'agent' ? ', an agent' : ''})`,
      kind: kindOf(entry),
      text: entry.content,
    });
  }
  return sources;
}
