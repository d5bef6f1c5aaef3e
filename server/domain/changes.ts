import type { Change } from '../shared/change.js';
import { localBus, type Bus } from '../shared/bus.js';

export type { Change };

/** Candidate notices (each chunk upload is one) go to the other processes at most this often per candidate. */
const SHARE_DEBOUNCE_MS = 250;

/**
 * What the live console must hear about at once — in this process and, over the bus (Redis
 * pub/sub when there are several processes), in every other.
 */
export class Changes {
  private readonly listeners = new Set<(c: Change) => void>();
  private readonly outgoing = new Map<string, Change>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bus: Bus = localBus()) {
    bus.on((m) => {
      if (m.t === 'change') this.deliver(m.change);
    });
  }

  on(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Here and in every other process. */
  emit(change: Change): void {
    this.deliver(change);
    if (this.bus.shared) this.share(change);
  }

  /** Here only: what every process finds out by itself (a silence, seen by each presence sweep). */
  emitHere(change: Change): void {
    this.deliver(change);
  }

  private deliver(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }

  private share(change: Change): void {
    if (change.kind !== 'candidate') return this.bus.publish({ t: 'change', change });
    // A burst of notices for one candidate travels as one.
    this.outgoing.set(`${change.exam}/${change.candidate}`, change);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const c of this.outgoing.values()) this.bus.publish({ t: 'change', change: c });
      this.outgoing.clear();
    }, SHARE_DEBOUNCE_MS);
    this.timer.unref();
  }
}
