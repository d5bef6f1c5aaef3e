import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LocalRecording } from '../core/stored-schema.js';
import { recorderWorker } from '../media/recorder-worker-client.js';
import { UploadScheduler } from '../net/upload-scheduler.js';
import type { UploadOutcome } from '../net/uploader.js';
import { listRecordings } from '../storage/recording-store.js';
import { onStoreChange } from '../storage/store-events.js';
import type { Owner } from '../storage/credentials.js';

const ORDER = { camera: 0, screen: 1, evidence: 2 };

/**
 * The page's uploader (every recording and outbox item on this device, each with its own
 * candidate's credential) and what the screens show of it: the signed-in candidate's recordings
 * and the last pass's outcome per recording.
 */
export class UploadsController implements ReactiveController {
  readonly scheduler: UploadScheduler;
  outcomes = new Map<string, UploadOutcome>();
  recordings: LocalRecording[] = [];
  private readonly listeners = new Set<() => void>();
  private offStore: (() => void) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** A change came inside the window: read the list again at its end. */
  private refreshAgain = false;
  /** The newest outbox item this page added (an event, a chat message): each pass is told of it. */
  private outboxKey: number | undefined;

  constructor(private readonly host: ReactiveControllerHost, private readonly owner: () => Owner | null) {
    host.addController(this);
    // The passes run in the recorder worker: the page's main thread only hears the outcome.
    this.scheduler = new UploadScheduler(async (full) => {
      const r = await recorderWorker().sync(full, this.outboxKey);
      return { ...r, outcomes: new Map(r.outcomes) };
    }, (o) => {
      this.outcomes = o;
      void this.refresh();
      for (const listener of this.listeners) listener();
    });
  }

  hostConnected(): void {
    this.listen();
    this.scheduler.start();
  }

  hostDisconnected(): void {
    this.scheduler.stop();
    this.offStore?.();
    this.offStore = null;
    // A window left open here would hold every change after a reconnect (nothing would end it).
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.refreshAgain = false;
  }

  /**
   * Another context changed a recording (the service worker verified it after the link returned,
   * say): the list is read again at once, not after this page's next pass — which may be 15 s away.
   * A burst of changes (acknowledgements while a backlog drains) is read at most every 200 ms: the
   * first at once, the rest together at the end of the window. This page's own outbox additions
   * are counted for the passes it asks for.
   */
  listen(): void {
    this.offStore ??= onStoreChange((change) => {
      if (change.store !== 'outbox') return;
      for (const { key } of change.added ?? []) this.outboxKey = Math.max(this.outboxKey ?? key, key);
    }, (change) => {
      if (change.store !== 'recordings' || change.change !== 'other') return;
      if (this.refreshTimer !== undefined) {
        this.refreshAgain = true;
        return;
      }
      void this.refresh();
      this.holdRefreshes();
    });
  }

  /** The 200 ms window after a read: a change inside it is read at its end (and opens the next). */
  private holdRefreshes(): void {
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (!this.refreshAgain) return;
      this.refreshAgain = false;
      void this.refresh();
      this.holdRefreshes();
    }, 200);
  }

  /** After every upload pass (e.g. the chat's "not sent yet" list shrinks). */
  onPass(listener: () => void): void {
    this.listeners.add(listener);
  }

  kick(): void {
    this.scheduler.kick();
  }

  /** A recording stored a chunk: it goes up with the next few (UploadScheduler.kickSoon). */
  kickSoon(): void {
    this.scheduler.kickSoon();
  }

  /** Re-reads this candidate's recordings on the device (every candidate's, before a login). */
  async refresh(): Promise<void> {
    const o = this.owner();
    // Unreadable for now (a full disk holds the database shut): the last list stays on screen.
    const all = await listRecordings().catch(() => null);
    if (!all) return;
    this.recordings = all.filter((r) => !o || (r.examId === o.examId && r.candidateId === o.candidateId))
      .sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
    this.host.requestUpdate();
  }
}
