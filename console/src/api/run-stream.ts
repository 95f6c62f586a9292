import { useEffect, useState } from 'react';
import type { RunPause, RunStatus } from './types.ts';

type Data = Record<string, unknown>;

export interface ToolCallView {
  turn: number;
  callIndex: number;
  name: string;
  arguments: string;
  output?: unknown;
  isError?: boolean;
  /** The run is paused on this call: waiting for a person's approval or answer. */
  awaiting?: 'approval' | 'answer';
  decision?: {
    effect: string;
    ruleId: string;
    reason?: string;
    labels?: Record<string, unknown>;
    stakes?: string;
  };
}

export type TimelineItem =
  | { kind: 'text'; turn: number; text: string }
  | { kind: 'tool'; call: ToolCallView };

export interface RunStreamState {
  items: TimelineItem[];
  pause: RunPause | undefined;
  finished:
    | { status: RunStatus; output: { text: string } | null; error: { message: string } | null }
    | undefined;
  routedTo: string | undefined;
  /** Every policy decision, with its rule and labels, for the trace. */
  decisions: Data[];
  /** Turns whose model step committed: their text is final, a late delta must not extend it. */
  completedTurns: number[];
  /** Counts the events after which the run's record and journal read differently (a step, a pause, the end). */
  changes: number;
  connected: boolean;
}

const EMPTY: RunStreamState = {
  items: [],
  pause: undefined,
  finished: undefined,
  routedTo: undefined,
  decisions: [],
  completedTurns: [],
  changes: 0,
  connected: false,
};

/** The call a pause waits on, marked as awaiting; every other call's mark cleared. */
function markAwaiting(items: TimelineItem[], pause: RunPause | undefined): TimelineItem[] {
  const awaiting =
    pause?.reason === 'approval_required' ? 'approval' : pause?.reason === 'question' ? 'answer' : undefined;
  const marked =
    awaiting === undefined || pause === undefined
      ? items
      : upsertTool(items, pause.turn, pause.callIndex, (call) => ({
          ...call,
          name: call.name || pause.tool,
          awaiting,
        }));
  return marked.map((item) => {
    if (item.kind !== 'tool' || item.call.awaiting === undefined) return item;
    if (awaiting !== undefined && item.call.turn === pause?.turn && item.call.callIndex === pause.callIndex)
      return item;
    const { awaiting: _cleared, ...call } = item.call;
    return { kind: 'tool', call };
  });
}

function upsertTool(
  items: TimelineItem[],
  turn: number,
  callIndex: number,
  change: (call: ToolCallView) => ToolCallView,
) {
  const index = items.findIndex(
    (i) => i.kind === 'tool' && i.call.turn === turn && i.call.callIndex === callIndex,
  );
  if (index === -1) {
    return [...items, { kind: 'tool' as const, call: change({ turn, callIndex, name: '', arguments: '' }) }];
  }
  const current = items[index] as Extract<TimelineItem, { kind: 'tool' }>;
  const next = [...items];
  next[index] = { kind: 'tool', call: change(current.call) };
  return next;
}

function setText(items: TimelineItem[], turn: number, text: (previous: string) => string) {
  const index = items.findIndex((i) => i.kind === 'text' && i.turn === turn);
  if (index === -1) return [...items, { kind: 'text' as const, turn, text: text('') }];
  const next = [...items];
  next[index] = { kind: 'text', turn, text: text((items[index] as { text: string }).text) };
  return next;
}

/** Applies one server-sent event of a run to what the chat shows. */
export function reduceRunEvent(state: RunStreamState, type: string, data: Data): RunStreamState {
  const next = applyRunEvent(state, type, data);
  return CHANGING_TYPES.has(type) ? { ...next, changes: next.changes + 1 } : next;
}

const CHANGING_TYPES = new Set([
  'step.committed',
  'tool.started',
  'run.paused',
  'run.resumed',
  'run.finished',
]);

function applyRunEvent(state: RunStreamState, type: string, data: Data): RunStreamState {
  const turn = Number(data.turn ?? 0);
  const callIndex = Number(data.callIndex ?? 0);
  switch (type) {
    case 'model.delta':
      // The kernel flushes its last buffered delta after the committed step's event: skip what is already final.
      if (state.completedTurns.includes(turn)) return state;
      return {
        ...state,
        items: setText(state.items, turn, (previous) => previous + String(data.text ?? '')),
      };
    case 'model.completed': {
      const completedTurns = [...state.completedTurns, turn];
      return typeof data.text === 'string' && data.text !== ''
        ? { ...state, completedTurns, items: setText(state.items, turn, () => String(data.text)) }
        : { ...state, completedTurns };
    }
    case 'policy.decision':
      return {
        ...state,
        decisions: [...state.decisions, data],
        items: upsertTool(state.items, turn, callIndex, (call) => ({
          ...call,
          name: call.name || String(data.tool ?? ''),
          decision: {
            effect: String(data.effect),
            ruleId: String(data.ruleId),
            ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
            ...(typeof data.stakes === 'string' ? { stakes: data.stakes } : {}),
            ...(typeof data.labels === 'object' && data.labels !== null
              ? { labels: data.labels as Data }
              : {}),
          },
        })),
      };
    case 'tool.started':
      return {
        ...state,
        items: upsertTool(state.items, turn, callIndex, (call) => ({
          ...call,
          name: String(data.name ?? call.name),
          arguments: String(data.arguments ?? call.arguments),
        })),
      };
    case 'tool.finished':
      return {
        ...state,
        items: upsertTool(state.items, turn, callIndex, (call) => ({
          ...call,
          name: String(data.name ?? call.name),
          output: data.output,
          isError: data.isError === true,
        })),
      };
    case 'run.paused': {
      const pause = data as unknown as RunPause;
      return { ...state, pause, items: markAwaiting(state.items, pause) };
    }
    case 'run.resumed':
      return { ...state, pause: undefined, items: markAwaiting(state.items, undefined) };
    case 'run.routed':
      return { ...state, routedTo: typeof data.agent === 'string' ? data.agent : undefined };
    case 'run.finished':
      return {
        ...state,
        pause: undefined,
        items: markAwaiting(state.items, undefined),
        finished: {
          status: data.status as RunStatus,
          output: (data.output as { text: string } | null) ?? null,
          error: (data.error as { message: string } | null) ?? null,
        },
      };
    default:
      return state;
  }
}

const STREAMED_TYPES = [
  'model.delta',
  'model.completed',
  'policy.decision',
  'tool.started',
  'tool.finished',
  'run.paused',
  'run.resumed',
  'run.routed',
  'run.finished',
  'step.committed',
];

/** Follows `GET /api/runs/:id/events` (SSE, cookie-authenticated) until the run finishes. */
export function useRunStream(runId: string | undefined): RunStreamState {
  const [state, setState] = useState<RunStreamState>(EMPTY);
  useEffect(() => {
    setState(EMPTY);
    if (runId === undefined) return;
    const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    for (const type of STREAMED_TYPES) {
      source.addEventListener(type, (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as Data;
        // The stream ends with the run: close before the browser tries to reconnect.
        if (type === 'run.finished') source.close();
        setState((s) => reduceRunEvent(s, type, data));
      });
    }
    return () => source.close();
  }, [runId]);
  return state;
}
