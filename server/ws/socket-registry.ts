import type { WebSocket } from 'ws';
import type { AccessClaims } from '../auth/tokens.js';

/** One open socket and what the server knows of it. */
export interface Conn {
  ws: WebSocket;
  /** This socket's address for peer signaling (`p-…`), told to the client in `ready`. */
  peer: string;
  address: string;
  openedAt: number;
  auth: AccessClaims | null;
  /** Cleared by each heartbeat, set by the client's pong (or any message). */
  alive: boolean;
}

export interface SocketLimits {
  /** Sockets of one address still waiting for `auth`; the oldest is closed to make room. */
  maxPendingPerAddress: number;
  /** All sockets of one address (an exam centre sits behind one NAT address). */
  maxPerAddress: number;
  /** Sockets of one signed-in user; the oldest is closed to make room. */
  maxPerSubject: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = { maxPendingPerAddress: 64, maxPerAddress: 2048, maxPerSubject: 4 };

const subjectKey = (a: AccessClaims) => `${a.exam}/${a.role}/${a.sub}`;

/**
 * Every open socket, indexed by address, subject and session, so the caps are cheap to keep and
 * the sockets of an ended session can be found at once.
 */
export class SocketRegistry {
  private readonly all = new Set<Conn>();
  private readonly byPeer = new Map<string, Conn>();
  private readonly byAddress = new Map<string, Set<Conn>>();
  private readonly bySubject = new Map<string, Set<Conn>>();

  constructor(readonly limits: SocketLimits) {}

  get size(): number {
    return this.all.size;
  }

  conns(): Iterable<Conn> {
    return this.all;
  }

  /** Room for another socket from this address? (Checked before the upgrade is accepted.) */
  hasRoomFor(address: string): boolean {
    return (this.byAddress.get(address)?.size ?? 0) < this.limits.maxPerAddress;
  }

  /** Adds a new, unauthenticated socket; returns the pending sockets it pushes out. */
  add(conn: Conn): Conn[] {
    this.all.add(conn);
    this.byPeer.set(conn.peer, conn);
    addTo(this.byAddress, conn.address, conn);
    const pending = [...(this.byAddress.get(conn.address) ?? [])].filter((c) => !c.auth);
    return oldestBeyond(pending, this.limits.maxPendingPerAddress);
  }

  /** Marks a socket signed in; returns the same user's sockets it pushes out. */
  authenticated(conn: Conn, auth: AccessClaims): Conn[] {
    if (conn.auth) removeFrom(this.bySubject, subjectKey(conn.auth), conn);
    conn.auth = auth;
    addTo(this.bySubject, subjectKey(auth), conn);
    return oldestBeyond([...(this.bySubject.get(subjectKey(auth)) ?? [])], this.limits.maxPerSubject);
  }

  remove(conn: Conn): void {
    if (!this.all.delete(conn)) return;
    this.byPeer.delete(conn.peer);
    removeFrom(this.byAddress, conn.address, conn);
    if (conn.auth) removeFrom(this.bySubject, subjectKey(conn.auth), conn);
  }

  ofSession(sid: string): Conn[] {
    return [...this.all].filter((c) => c.auth?.sid === sid);
  }

  /** The signed-in sockets of one user (e.g. a candidate's device, a proctor's tabs). */
  ofSubject(exam: string, role: AccessClaims['role'], sub: string): Conn[] {
    return [...(this.bySubject.get(`${exam}/${role}/${sub}`) ?? [])];
  }

  /** Every signed-in socket of an exam with this role. */
  ofRole(exam: string, role: AccessClaims['role']): Conn[] {
    return [...this.all].filter((c) => c.auth?.exam === exam && c.auth.role === role);
  }

  byPeerId(peer: string): Conn | null {
    return this.byPeer.get(peer) ?? null;
  }
}

function oldestBeyond(conns: Conn[], max: number): Conn[] {
  if (conns.length <= max) return [];
  return conns.sort((a, b) => a.openedAt - b.openedAt).slice(0, conns.length - max);
}

function addTo(map: Map<string, Set<Conn>>, key: string, conn: Conn): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(conn);
}

function removeFrom(map: Map<string, Set<Conn>>, key: string, conn: Conn): void {
  const set = map.get(key);
  set?.delete(conn);
  if (set?.size === 0) map.delete(key);
}
