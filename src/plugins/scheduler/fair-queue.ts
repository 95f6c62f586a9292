import { type Clock, systemClock } from '../../core/time/clock.ts';

/**
 * Weighted fair queueing across workspaces, then round robin across agents within a workspace.
 * Each workspace accrues "service" (slot milliseconds used ÷ weight); the backlogged workspace
 * with the least service goes next. A workspace that was idle re-enters at the current minimum,
 * so idleness does not bank credit.
 */
/** A workspace with nothing queued or in flight for this long is idle, and banks no credit. */
const IDLE_MS = 1_000;

export interface FairItem {
  workspaceId: string;
  agentId: string;
  enqueuedAt: number;
}

interface WorkspaceQueue<T> {
  /** Slot time received, ÷ weight. */
  service: number;
  /** Estimated slot time of calls in flight, ÷ weight; replaced by the actual time when they end. */
  pending: number;
  /** When it last had a call queued or in flight. */
  activeAt: number;
  agents: Map<string, T[]>;
  /** Agents with pending items, in round-robin order. */
  order: string[];
  size: number;
}

export class FairQueue<T extends FairItem> {
  readonly #workspaces = new Map<string, WorkspaceQueue<T>>();
  readonly #weight: (workspaceId: string) => number;
  readonly #clock: Clock;
  #size = 0;

  /** `clock` tells when a workspace went idle. */
  constructor(weight: (workspaceId: string) => number = () => 1, clock: Clock = systemClock) {
    this.#weight = weight;
    this.#clock = clock;
  }

  get size(): number {
    return this.#size;
  }

  #minService(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const queue of this.#workspaces.values()) if (queue.size > 0) min = Math.min(min, queue.service);
    return Number.isFinite(min) ? min : 0;
  }

  push(item: T, front = false): void {
    let queue = this.#workspaces.get(item.workspaceId);
    if (queue === undefined) {
      queue = {
        service: this.#minService(),
        pending: 0,
        activeAt: this.#clock.now(),
        agents: new Map(),
        order: [],
        size: 0,
      };
      this.#workspaces.set(item.workspaceId, queue);
    } else if (queue.size === 0 && queue.pending === 0 && this.#clock.now() - queue.activeAt > IDLE_MS) {
      // Truly idle for a while (not just between two calls of a run): re-enter at the current level.
      queue.service = Math.max(queue.service, this.#minService());
    }
    queue.activeAt = this.#clock.now();
    let items = queue.agents.get(item.agentId);
    if (items === undefined || items.length === 0) {
      items = items ?? [];
      queue.agents.set(item.agentId, items);
      if (front) queue.order.unshift(item.agentId);
      else queue.order.push(item.agentId);
    }
    if (front) items.unshift(item);
    else items.push(item);
    queue.size++;
    this.#size++;
  }

  /** The workspace that would go next, without taking anything. */
  #nextWorkspace(): WorkspaceQueue<T> | undefined {
    let best: WorkspaceQueue<T> | undefined;
    for (const queue of this.#workspaces.values()) {
      if (
        queue.size > 0 &&
        (best === undefined || queue.service + queue.pending < best.service + best.pending)
      ) {
        best = queue;
      }
    }
    return best;
  }

  oldestWaitingSince(): number | undefined {
    let oldest: number | undefined;
    for (const queue of this.#workspaces.values()) {
      for (const items of queue.agents.values()) {
        const head = items[0];
        if (head !== undefined && (oldest === undefined || head.enqueuedAt < oldest))
          oldest = head.enqueuedAt;
      }
    }
    return oldest;
  }

  shift(): T | undefined {
    const queue = this.#nextWorkspace();
    if (queue === undefined) return undefined;
    const agentId = queue.order.shift()!;
    const items = queue.agents.get(agentId)!;
    const item = items.shift()!;
    if (items.length > 0) queue.order.push(agentId);
    else queue.agents.delete(agentId);
    queue.size--;
    this.#size--;
    return item;
  }

  remove(item: T): boolean {
    const queue = this.#workspaces.get(item.workspaceId);
    const items = queue?.agents.get(item.agentId);
    const index = items?.indexOf(item) ?? -1;
    if (queue === undefined || items === undefined || index === -1) return false;
    items.splice(index, 1);
    if (items.length === 0) {
      queue.agents.delete(item.agentId);
      queue.order = queue.order.filter((id) => id !== item.agentId);
    }
    queue.size--;
    this.#size--;
    return true;
  }

  /** A call of this workspace started; `estimateMs` counts against it until it ends. */
  dispatched(workspaceId: string, estimateMs: number): void {
    const queue = this.#workspaces.get(workspaceId);
    if (queue !== undefined) queue.pending += estimateMs / this.#weightOf(workspaceId);
  }

  /** The call ended: its estimate is replaced by the slot time it really used. */
  completed(workspaceId: string, estimateMs: number, actualMs: number): void {
    const queue = this.#workspaces.get(workspaceId);
    if (queue === undefined) return;
    queue.pending = Math.max(0, queue.pending - estimateMs / this.#weightOf(workspaceId));
    queue.service += actualMs / this.#weightOf(workspaceId);
    queue.activeAt = this.#clock.now();
  }

  #weightOf(workspaceId: string): number {
    return Math.max(1e-9, this.#weight(workspaceId));
  }

  /** Pending items per workspace. */
  backlog(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, queue] of this.#workspaces) if (queue.size > 0) out[id] = queue.size;
    return out;
  }
}
