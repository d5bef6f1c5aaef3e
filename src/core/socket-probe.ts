import type { LinkSample } from './ladder.js';

/** On the events rung: one ping over the page's socket this often… */
export const PROBE_EVERY_MS = 5_000;
/** …and one not answered within this long counts as lost. */
export const PROBE_LOST_MS = 5_000;

/**
 * The events rung's measure of the link. There is no peer link on that rung (its ICE checks and
 * the idle streams' reports alone cost twice the rung's budget), so the candidate's uplink is
 * judged by the socket the page keeps anyway: a small ping every few seconds, answered by the
 * server's pong. Each ping gives one sample — answered in time (its round trip) or lost — and the
 * ladder climbs back to thumbnails after a few good ones, opening a new peer link for its trial.
 * Pure: the caller sends the pings and hands over the pongs.
 */
export class SocketProbe {
  /** Pings sent and not yet answered: id → send time. */
  private readonly pending = new Map<number, number>();
  /** Samples decided since the last `take`. */
  private readonly ready: LinkSample[] = [];

  /** A ping went out (`sent` false: the socket was not open — that is a sample too). */
  sent(id: number, at: number, sent: boolean): void {
    if (sent) this.pending.set(id, at);
    else this.ready.push({ at, connected: false, lossPct: 100, rttMs: null, availableKbps: null });
  }

  /** A pong came back; false when it answered none of ours (another sender's, or too late). */
  answered(id: number, at: number): boolean {
    const sentAt = this.pending.get(id);
    if (sentAt === undefined) return false;
    this.pending.delete(id);
    const rtt = at - sentAt;
    this.ready.push(rtt > PROBE_LOST_MS ? lost(at) : { at, connected: true, lossPct: 0, rttMs: rtt, availableKbps: null });
    return true;
  }

  /** The samples decided by now, oldest first: answers, and pings given up on. */
  take(now: number): LinkSample[] {
    for (const [id, sentAt] of this.pending) {
      if (now - sentAt <= PROBE_LOST_MS) continue;
      this.pending.delete(id);
      this.ready.push(lost(now));
    }
    return this.ready.splice(0).sort((a, b) => a.at - b.at);
  }

  clear(): void {
    this.pending.clear();
    this.ready.length = 0;
  }
}

/** Unanswered: the socket is up as far as the page knows, the link carries nothing now. */
const lost = (at: number): LinkSample => ({ at, connected: true, lossPct: 100, rttMs: null, availableKbps: null });
