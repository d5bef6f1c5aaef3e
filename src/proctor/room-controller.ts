import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { z } from 'zod';
import { ChatThread } from '../core/event-schema.js';
import { CandidateDetail, ProctorRoom, type CandidateTile } from '../core/room-schema.js';
import type { LiveDevice, ServerMessage, WatchWish } from '../core/ws-schema.js';
import { ApiRequestError } from '../net/api-error.js';
import { ServerClock } from '../net/server-clock.js';
import type { SessionStore } from '../net/session-store.js';
import { SignalingClient, type SocketState } from '../net/signaling-client.js';
import { beep } from './alert-sound.js';
import { LiveReceiver } from './live-receiver.js';

interface Watched { candidate: string; device: LiveDevice; link: string; wish: WatchWish; receiver: LiveReceiver | null; from: string | null }
/** Watches are kept by candidate for the laptop, and `phone:<id>` for the evidence phone. */
const keyOf = (candidate: string, device: LiveDevice) => (device === 'phone' ? `phone:${candidate}` : candidate);
const newLink = () => crypto.randomUUID().replace(/-/g, '');

/**
 * The proctor's room (R11): the tiles from the server, kept current by pushes over the socket;
 * one live link per watched candidate (the page's tiles, and a better view for the one opened);
 * the open candidate's detail; the proctor's actions. A sound and a badge for each new 【求助】
 * message and each new flag.
 */
export class RoomController implements ReactiveController {
  room: ProctorRoom | null = null;
  tiles = new Map<string, CandidateTile>();
  detail: CandidateDetail | null = null;
  socket: SocketState = 'closed';
  /** New help messages and flags since the proctor last looked (the page's badge). */
  alerts = 0;
  readonly clock: ServerClock;
  private readonly watched = new Map<string, Watched>();
  private client: SignalingClient | null = null;
  private offRefresh: (() => void) | null = null;

  error: unknown = null;

  constructor(private readonly host: ReactiveControllerHost, private readonly store: SessionStore, private readonly signedOut: () => void) {
    host.addController(this);
    this.clock = new ServerClock(store.api);
  }

  hostConnected(): void {
    void this.load();
  }

  hostDisconnected(): void {
    this.offRefresh?.();
    this.client?.stop();
    this.client = null;
    for (const w of this.watched.values()) w.receiver?.destroy();
    this.watched.clear();
  }

  async load(): Promise<void> {
    try {
      await this.clock.restore();
      await this.clock.syncNow();
      await this.readRoom();
      this.error = null;
      this.connect();
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 401) this.signedOut();
      this.error = err;
    }
    this.host.requestUpdate();
  }

  /** Tiles pushed while a read of the room is on its way: newer than the read, they stay. */
  private pushedDuringRead: Set<string> | null = null;

  /** Reads the room's tiles as they are now, keeping any tile pushed meanwhile. */
  private async readRoom(): Promise<void> {
    const pushed = new Set<string>();
    this.pushedDuringRead = pushed;
    try {
      const room = await this.store.api.authed('GET', '/api/proctor/room', ProctorRoom);
      this.room = room;
      this.tiles = new Map(room.candidates.map((t) => [t.id, pushed.has(t.id) ? this.tiles.get(t.id) ?? t : t]));
    } finally {
      if (this.pushedDuringRead === pushed) this.pushedDuringRead = null;
    }
  }

  /** The room (and the open detail) read again after the socket (re)opened; a failure waits for the next. */
  private async resync(): Promise<void> {
    try {
      await this.readRoom();
      if (this.wanted) await this.reloadDetail(this.wanted);
    } catch {
      // The next push or reconnect tries again; the tiles shown stay as they were.
    }
    this.host.requestUpdate();
  }

  /** Watches exactly these candidates (the page on screen, plus the one opened). */
  watch(ids: string[]): void {
    const want = new Map<string, { candidate: string; device: LiveDevice }>(ids.map((id) => [id, { candidate: id, device: 'laptop' }]));
    const open = this.detail?.tile.id;
    if (open) want.set(open, { candidate: open, device: 'laptop' });
    // The opened candidate's evidence phone, on request (the same signaling and ladder).
    if (open && this.phoneWanted.has(open)) want.set(keyOf(open, 'phone'), { candidate: open, device: 'phone' });
    for (const [key, w] of this.watched) {
      if (want.has(key)) continue;
      this.client?.send({ type: 'unwatch', candidate: w.candidate, link: w.link, device: w.device });
      w.receiver?.destroy();
      this.watched.delete(key);
    }
    for (const [key, { candidate, device }] of want) {
      const wish: WatchWish = device === 'phone' ? { quality: 'low', screen: false }
        : open === candidate ? { quality: 'high', screen: this.screenWanted.has(candidate) } : { quality: 'low', screen: false };
      const w = this.watched.get(key);
      if (w && w.wish.quality === wish.quality && w.wish.screen === wish.screen) continue;
      const link = w?.link ?? newLink();
      this.watched.set(key, { candidate, device, link, wish, receiver: w?.receiver ?? null, from: w?.from ?? null });
      this.client?.send({ type: 'watch', candidate, link, wish, device });
    }
  }

  receiver(id: string, device: LiveDevice = 'laptop'): LiveReceiver | null {
    return this.watched.get(keyOf(id, device))?.receiver ?? null;
  }

  private readonly phoneWanted = new Set<string>();

  /** The opened candidate's phone camera live, on the proctor's request. */
  wantPhone(id: string, on: boolean): void {
    if (on) this.phoneWanted.add(id);
    else this.phoneWanted.delete(id);
  }

  private readonly screenWanted = new Set<string>();

  /** Which detail the proctor asked for last: a slower reply for an earlier one is dropped. */
  private wanted: string | null = null;

  async open(id: string): Promise<void> {
    this.wanted = id;
    const detail = await this.store.api.authed('GET', `/api/proctor/candidates/${id}`, CandidateDetail);
    if (this.wanted !== id) return;
    this.detail = detail;
    this.alerts = 0;
    if (detail.tile.unreadChat > 0) await this.markRead(id);
    this.host.requestUpdate();
  }

  /**
   * The open detail read again (after a push, a reconnect or an action): applied only while that
   * candidate is still the one open — a reply that comes after the proctor closed it or opened
   * another must not bring it back.
   */
  private async reloadDetail(id: string): Promise<void> {
    this.applyDetail(id, await this.store.api.authed('GET', `/api/proctor/candidates/${id}`, CandidateDetail));
  }

  private applyDetail(id: string, detail: CandidateDetail): void {
    if (this.wanted === id) this.detail = detail;
  }

  close(): void {
    this.wanted = null;
    if (this.detail) {
      this.screenWanted.delete(this.detail.tile.id);
      this.phoneWanted.delete(this.detail.tile.id);
    }
    this.detail = null;
    this.host.requestUpdate();
  }

  wantScreen(id: string, on: boolean): void {
    if (on) this.screenWanted.add(id);
    else this.screenWanted.delete(id);
  }

  async act(id: string, path: 'identity-confirm' | 'warning' | 'extra-time' | 'end', body: unknown): Promise<void> {
    const detail = await this.store.api.authed('POST', `/api/proctor/candidates/${id}/${path}`, CandidateDetail, body);
    this.tiles.set(id, detail.tile);
    this.applyDetail(id, detail);
    this.host.requestUpdate();
  }

  async sendChat(id: string, text: string): Promise<void> {
    const { messages } = await this.store.api.authed('POST', `/api/proctor/chat/${id}`, ChatThread, {
      messages: [{ id: newLink(), text, at: Math.round(this.clock.now()) }],
    });
    if (this.detail?.tile.id === id) this.detail = { ...this.detail, chat: messages };
    this.host.requestUpdate();
  }

  private async markRead(id: string): Promise<void> {
    await this.store.api.authed('POST', `/api/proctor/candidates/${id}/chat-read`, z.null()).catch(() => undefined);
  }

  private connect(): void {
    if (this.client) return;
    const api = this.store.api;
    this.client = new SignalingClient({
      token: () => api.token,
      refresh: () => api.refresh(),
      onMessage: (msg) => void this.onMessage(msg),
      onState: (state) => {
        this.socket = state;
        if (state === 'ended') this.signedOut();
        if (state === 'open') {
          // After a reconnect: ask again for every candidate watched (the server forgot the old socket).
          for (const w of this.watched.values()) this.client?.send({ type: 'watch', candidate: w.candidate, link: w.link, wish: w.wish, device: w.device });
          // Pushes only carry changes from now on: whatever changed before (while loading, or while
          // this socket was down) is read once, or a candidate gone offline meanwhile never shows.
          void this.resync();
        }
        this.host.requestUpdate();
      },
    });
    this.offRefresh = this.store.onRefreshed(() => this.client?.reauthenticate());
    this.client.start();
  }

  private async onMessage(msg: ServerMessage): Promise<void> {
    switch (msg.type) {
      case 'tile': {
        const before = this.tiles.get(msg.tile.id);
        this.tiles.set(msg.tile.id, msg.tile);
        this.pushedDuringRead?.add(msg.tile.id);
        if (before && (msg.tile.unreadChat > before.unreadChat || msg.tile.flags.raised > before.flags.raised)) this.alert();
        if (this.detail?.tile.id === msg.tile.id) await this.reloadDetail(msg.tile.id);
        break;
      }
      case 'chat':
        if (this.detail?.tile.id === msg.candidate) {
          this.detail = { ...this.detail, chat: [...this.detail.chat.filter((m) => m.id !== msg.message.id), msg.message] };
          if (msg.message.from === 'candidate') await this.markRead(msg.candidate);
        }
        break;
      case 'signal': {
        const entry = [...this.watched.values()].find((w) => w.link === msg.link);
        if (!entry) return;
        if (msg.data.type === 'rung') {
          entry.receiver?.told(msg.data.rung);
          break;
        }
        if (!entry.receiver || entry.from !== msg.from || entry.receiver.isNewSession(msg.data)) {
          entry.receiver?.destroy();
          entry.from = msg.from;
          const client = this.client;
          entry.receiver = new LiveReceiver({
            iceServers: this.room?.iceServers ?? [],
            iceTransportPolicy: this.room?.iceTransportPolicy ?? 'all',
            signal: (data) => client?.send({ type: 'signal', to: msg.from, link: msg.link, data }),
            changed: () => this.host.requestUpdate(),
          });
        }
        await entry.receiver.signal(msg.data).catch(() => undefined);
        break;
      }
      case 'session-ended':
        this.client?.stop();
        break;
      default:
        break;
    }
    this.host.requestUpdate();
  }

  private alert(): void {
    this.alerts++;
    beep();
  }
}
