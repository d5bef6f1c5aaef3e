import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatMessage, ChatOut } from '../core/event-schema.js';
import { fetchChat } from '../net/outbox-sender.js';
import { deviceUploadDeps } from '../net/sync-all.js';
import { pendingChat } from '../storage/outbox.js';
import type { CandidateFlow } from './candidate-flow.js';

/** The thread is read this often in the exam while no push can arrive (the live socket is down)… */
const POLL_MS = 10_000;
/** …and this often while it is up: a proctor's reply is pushed at once, the read only catches what a push missed. */
const PUSHED_POLL_MS = 60_000;

/**
 * 【求助】: the thread as the server has it (read when a push says so, and every 10–60 s in the
 * exam) and the candidate's own messages still on the device ("not sent yet"), which the outbox
 * delivers when it can.
 */
export class ChatController implements ReactiveController {
  messages: ChatMessage[] = [];
  pending: ChatOut[] = [];
  /** The live socket is open: replies are pushed (set by the live controller). */
  pushed = false;
  private lastPoll = -Infinity;

  constructor(private readonly host: ReactiveControllerHost, private readonly flow: CandidateFlow, private readonly sent: () => void) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Polled from the host's updates (once a second): monotonic clock, so a device-clock jump cannot stall it. */
  hostUpdated(): void {
    if (this.flow.step() !== 'exam' || performance.now() - this.lastPoll < (this.pushed ? PUSHED_POLL_MS : POLL_MS)) return;
    this.lastPoll = performance.now();
    void this.refresh();
  }

  async send(text: string): Promise<void> {
    await this.flow.events.chat(text);
    await this.refresh();
    this.sent();
  }

  /** The "not sent yet" list from the outbox, and the server's thread when reachable. */
  async refresh(): Promise<void> {
    const owner = this.flow.owner();
    if (!owner) return;
    await this.refreshPending();
    await this.readThread(owner);
  }

  /** After an upload pass: the outbox may have delivered messages typed offline. */
  async refreshPending(): Promise<void> {
    const owner = this.flow.owner();
    if (!owner) return;
    const pending = await pendingChat(owner.examId, owner.candidateId);
    if (pending.length === this.pending.length) return;
    this.pending = pending;
    // What left the outbox is now in the server's thread.
    await this.readThread(owner);
  }

  private reads = 0;

  /**
   * The server's thread, read now. Reads overlap (a push, the poll, an upload pass): only the one
   * started last is shown — an earlier read answered later would hide a reply that just arrived.
   */
  private async readThread(owner: Parameters<typeof fetchChat>[1]): Promise<void> {
    const read = ++this.reads;
    const messages = await fetchChat(deviceUploadDeps, owner).catch(() => null);
    if (messages && read === this.reads) this.messages = messages;
    this.host.requestUpdate();
  }
}
