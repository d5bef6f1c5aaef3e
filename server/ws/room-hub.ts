import type { ClientMessage, LiveDevice, ServerMessage, WatchWish } from '../../src/core/ws-schema.js';
import type { Change } from '../domain/changes.js';
import type { Services } from '../services.js';
import type { AccessClaims } from '../auth/tokens.js';
import type { BusMessage } from '../shared/bus.js';
import type { Conn, SocketRegistry } from './socket-registry.js';

type Send = (conn: Conn, msg: ServerMessage) => void;
interface Watch { proctor: Conn; exam: string; candidate: string; wish: WatchWish; device: LiveDevice }
/** The sockets a live view of this device comes from: the candidate's laptop, or their bound phone. */
const roleOf = (device: LiveDevice) => (device === 'phone' ? 'phone' : 'candidate');

/** A tile is pushed at most this often per candidate (a burst of events is one push). */
const TILE_DEBOUNCE_MS = 300;

/**
 * The live console's traffic over the sockets (R11): candidates' heartbeats become presence;
 * proctors ask to watch candidates of their rooms; peer signals are relayed only between a
 * candidate and a proctor of that candidate's room — never candidate to candidate, never to a
 * proctor of another room; every change to a candidate reaches the proctors of its room at once.
 * With several server processes a socket may be held by another one: what is for it goes over
 * the bus, and the process that holds it checks and delivers.
 */
export class RoomHub {
  private readonly watches = new Map<string, Watch>();
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly off: () => void;
  private readonly offBus: () => void;

  constructor(private readonly services: Services, private readonly registry: SocketRegistry, private readonly send: Send) {
    this.off = services.changes.on((c) => this.onChange(c));
    this.offBus = services.bus.on((m) => void this.fromElsewhere(m).catch((err: unknown) => services.log(`ws: bus message failed: ${String(err)}`)));
  }

  close(): void {
    this.off();
    this.offBus();
    for (const t of this.pending.values()) clearTimeout(t);
  }

  /** A socket signed in: a candidate's laptop or phone is told who watches it (again, after a reconnect). */
  joined(conn: Conn): void {
    const auth = conn.auth;
    if (auth?.role !== 'candidate' && auth?.role !== 'phone') return;
    for (const [link, w] of this.watches) {
      if (w.exam === auth.exam && w.candidate === auth.sub && roleOf(w.device) === auth.role) this.send(conn, watchMessage(link, w));
    }
    this.services.bus.publish({ t: 'joined', exam: auth.exam, role: auth.role, sub: auth.sub });
  }

  left(conn: Conn): void {
    for (const [link, w] of this.watches) {
      if (w.proctor !== conn) continue;
      this.watches.delete(link);
      this.toSubject(w.exam, roleOf(w.device), w.candidate, { type: 'unwatch', from: conn.peer, link });
    }
  }

  async handle(conn: Conn, msg: Exclude<ClientMessage, { type: 'auth' | 'ping' }>): Promise<void> {
    const auth = conn.auth;
    if (!auth) return;
    switch (msg.type) {
      case 'heartbeat':
        if (auth.role !== 'candidate') return this.refuse(conn, 'only a candidate device sends heartbeats');
        return this.services.presence.heard(auth.exam, auth.sub, msg.state);
      case 'watch':
      case 'unwatch': {
        if (auth.role !== 'proctor') return this.refuse(conn, 'only a proctor watches');
        if (!(await this.inRooms(auth.exam, auth.sub, msg.candidate))) return this.refuse(conn, 'this candidate is not in your rooms');
        if (msg.type === 'unwatch') {
          this.watches.delete(msg.link);
          this.toSubject(auth.exam, roleOf(msg.device), msg.candidate, { type: 'unwatch', from: conn.peer, link: msg.link });
          return;
        }
        const watch: Watch = { proctor: conn, exam: auth.exam, candidate: msg.candidate, wish: msg.wish, device: msg.device };
        this.watches.set(msg.link, watch);
        this.toSubject(auth.exam, roleOf(msg.device), msg.candidate, watchMessage(msg.link, watch));
        return;
      }
      case 'signal': {
        const signal: ServerMessage = { type: 'signal', from: conn.peer, link: msg.link, data: msg.data };
        const target = this.registry.byPeerId(msg.to);
        if (!target && this.services.bus.shared) {
          // Held by another process (or gone): that process checks and delivers.
          this.services.bus.publish({ t: 'to-peer', peer: msg.to, from: auth, msg: signal });
          return;
        }
        if (!target?.auth || !(await this.mayRelay(auth, target.auth))) return this.refuse(conn, 'you cannot signal that peer');
        this.send(target, signal);
        return;
      }
    }
  }

  /** For every socket of this user, here and in the other processes. */
  private toSubject(exam: string, role: AccessClaims['role'], sub: string, msg: ServerMessage): void {
    for (const c of this.registry.ofSubject(exam, role, sub)) this.send(c, msg);
    this.services.bus.publish({ t: 'to-subject', exam, role, sub, msg });
  }

  private async fromElsewhere(m: BusMessage): Promise<void> {
    if (m.t === 'to-subject') {
      for (const c of this.registry.ofSubject(m.exam, m.role, m.sub)) this.send(c, m.msg);
    } else if (m.t === 'to-peer') {
      const target = this.registry.byPeerId(m.peer);
      if (target?.auth && (await this.mayRelay(m.from, target.auth))) this.send(target, m.msg);
    } else if (m.t === 'joined') {
      // A device signed in on another process: the watches held here are said again, there.
      for (const [link, w] of this.watches) {
        if (w.exam === m.exam && w.candidate === m.sub && roleOf(w.device) === m.role) {
          this.services.bus.publish({ t: 'to-subject', exam: m.exam, role: m.role, sub: m.sub, msg: watchMessage(link, w) });
        }
      }
    }
  }

  /** Only a candidate's laptop or phone and a proctor whose rooms include that candidate's room, of one exam. */
  private async mayRelay(a: AccessClaims, b: AccessClaims): Promise<boolean> {
    if (a.exam !== b.exam || (a.role === 'proctor') === (b.role === 'proctor')) return false;
    const [proctor, candidate] = a.role === 'proctor' ? [a.sub, b.sub] : [b.sub, a.sub];
    return this.inRooms(a.exam, proctor, candidate);
  }

  private async inRooms(examId: string, proctorId: string, candidateId: string): Promise<boolean> {
    const exam = await this.services.exams.get(examId);
    const room = exam?.config.roster.find((c) => c.id === candidateId)?.room;
    return room !== undefined && (exam?.config.proctors.find((p) => p.id === proctorId)?.rooms.includes(room) ?? false);
  }

  private refuse(conn: Conn, message: string): void {
    this.send(conn, { type: 'error', code: 'forbidden', message });
  }

  private onChange(c: Change): void {
    if (c.kind === 'chat') {
      const msg: ServerMessage = { type: 'chat', candidate: c.candidate, message: c.message };
      void this.proctorsOf(c.exam, c.candidate).then((conns) => conns.forEach((conn) => this.send(conn, msg)));
      if (c.message.from === 'proctor') for (const conn of this.registry.ofSubject(c.exam, 'candidate', c.candidate)) this.send(conn, msg);
    }
    if (c.kind === 'progress') {
      for (const conn of this.registry.ofSubject(c.exam, 'candidate', c.candidate)) this.send(conn, { type: 'progress', progress: c.progress });
    }
    this.scheduleTile(c.exam, c.candidate);
  }

  private scheduleTile(exam: string, candidate: string): void {
    const key = `${exam}/${candidate}`;
    if (this.pending.has(key)) return;
    this.pending.set(key, setTimeout(() => {
      this.pending.delete(key);
      void this.pushTile(exam, candidate).catch((err: unknown) => this.services.log(`ws: tile push failed: ${String(err)}`));
    }, TILE_DEBOUNCE_MS));
  }

  private async pushTile(examId: string, candidate: string): Promise<void> {
    const proctors = await this.proctorsOf(examId, candidate);
    if (proctors.length === 0) return;
    const exam = await this.services.exams.get(examId);
    if (!exam) return;
    const byProctor = new Map<string, Conn[]>();
    for (const conn of proctors) byProctor.set(conn.auth?.sub ?? '', [...(byProctor.get(conn.auth?.sub ?? '') ?? []), conn]);
    for (const [proctor, conns] of byProctor) {
      const tile = await this.services.roomView.tile(exam, candidate, proctor);
      for (const conn of conns) this.send(conn, { type: 'tile', tile });
    }
  }

  /** The proctor sockets whose rooms include this candidate's room. */
  private async proctorsOf(examId: string, candidate: string): Promise<Conn[]> {
    const out: Conn[] = [];
    for (const conn of this.registry.ofRole(examId, 'proctor')) if (await this.inRooms(examId, conn.auth?.sub ?? '', candidate)) out.push(conn);
    return out;
  }
}

function watchMessage(link: string, w: Watch): ServerMessage {
  return { type: 'watch', from: w.proctor.peer, proctor: w.proctor.auth?.sub ?? '', link, wish: w.wish };
}
