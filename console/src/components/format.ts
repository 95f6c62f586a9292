export const formatDate = (iso: string | null | undefined): string =>
  iso === null || iso === undefined ? '—' : new Date(iso).toLocaleString();

export const formatUsd = (value: number): string => `$${value.toFixed(value < 0.01 && value > 0 ? 5 : 4)}`;

export function formatDuration(fromIso: string | null | undefined, toIso: string | null | undefined): string {
  if (fromIso === null || fromIso === undefined || toIso === null || toIso === undefined) return '—';
  return formatMs(new Date(toIso).getTime() - new Date(fromIso).getTime());
}

/** A span of milliseconds as people read it: 840 ms, 1.3 s, 2 min 5 s. */
export function formatMs(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

export const shortId = (id: string): string => (id.length > 14 ? `${id.slice(0, 12)}…` : id);

/** A run as people tell runs apart (as the audit API names it): its agent and the end of its id. */
export const runLabel = (agentName: string, runId: string): string => `${agentName} run …${runId.slice(-6)}`;
