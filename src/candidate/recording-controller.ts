import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Progress } from '../core/api-schema.js';
import { FLAG_CLASS, type FlagClass } from '../core/presence.js';
import { ExamRecorder, type DeviceIds } from '../media/exam-recorder.js';
import { RecorderUnavailableError } from '../media/recorder-worker-client.js';
import { deviceUploadDeps } from '../net/sync-all.js';
import { reportProblem } from '../net/uploader.js';
import { isStorageFull, isWriteError } from '../storage/recording-store.js';
import type { CandidateFlow } from './candidate-flow.js';
import { IntegrityMonitor } from './integrity-monitor.js';
import { PresenceMonitor } from './presence-monitor.js';

/** A chunk written during a full disk (a small one may fit) must not hide the warning at once. */
const STORAGE_WARNING_MS = 30_000;

/**
 * The recording session of the exam: camera, microphone and screen from entry (or a reload mid-
 * exam) to the end, the integrity and presence monitors beside it, and what goes wrong with the
 * device's storage — told to the candidate here and to the proctor through the event log.
 */
export class RecordingController implements ReactiveController {
  recorder: ExamRecorder | null = null;
  /** The device ran out of storage; cleared once chunks are stored again, shown at least 30 s. */
  storageFull = false;
  private storageFullAt = 0;
  /** The recordings were stopped for good on this page (every chunk stored). */
  stopped = false;
  private integrity: IntegrityMonitor | null = null;
  private presence: PresenceMonitor | null = null;
  private ending: Promise<void> | null = null;

  constructor(private readonly host: ReactiveControllerHost, private readonly flow: CandidateFlow, private readonly stored: (what: 'chunk' | 'stopped') => void) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** At the end (or an early end) the step turns to `upload`: the recordings stop by themselves. */
  hostUpdated(): void {
    if (this.flow.me && this.flow.step() === 'upload') void this.finish();
  }

  /** Makes the recorder of the signed-in candidate (again when another candidate signs in). */
  sync(): void {
    const me = this.flow.me;
    if (!me || this.recorder?.owner === `${me.exam.id}/${me.candidate.id}`) return;
    this.ending = null;
    this.stopped = false;
    this.recorder = new ExamRecorder(me, {
      now: () => this.flow.now(),
      onChunk: () => this.onStored(),
      onError: (err) => this.onStoreError(err),
      onTrack: (kind, what) => void this.flow.events.log(what === 'ended' ? 'track-ended' : 'track-muted', { kind }),
    });
  }

  get cameraStream(): MediaStream | null {
    return this.recorder?.cameraStream ?? null;
  }

  get screenStream(): MediaStream | null {
    return this.recorder?.screenStream ?? null;
  }

  /** Capturing on this page (false after a reload until 【继续录制】, or once a track ended). */
  get active(): boolean {
    return this.recorder?.active ?? false;
  }

  /**
   * 【进入考试】: camera, microphone and the whole screen are granted and the recorder is known to
   * store (the click is needed for that), then the server decides; recording starts on its yes.
   */
  async enter(): Promise<void> {
    const rec = this.recorder;
    if (!rec) return;
    try {
      await rec.start(this.flow.devices(), async () => {
        const progress = await this.flow.session.api.authed('POST', '/api/candidate/enter', Progress);
        await this.flow.session.patchMe({ progress });
      });
    } catch (err) {
      // The proctor learns why this candidate cannot enter from this device.
      if (err instanceof RecorderUnavailableError) await this.flow.events.log('recorder-unavailable', { error: err.message.slice(0, 200) });
      throw err;
    }
    await this.flow.events.log('entered');
    this.startMonitoring();
  }

  /** Reopened mid-exam: the recording continues as a new segment (needs a click for the screen). */
  async resume(): Promise<void> {
    // The signed-in candidate's recorder (made now if no state read made it yet); without one
    // nothing resumes, and no "resumed" event is logged.
    this.sync();
    const rec = this.recorder;
    if (!rec) return;
    await rec.start(this.flow.devices());
    await this.flow.events.log('recording-resumed');
    this.startMonitoring();
  }

  async switchDevices(change: DeviceIds): Promise<void> {
    await this.recorder?.switchDevices(change);
    const stream = this.recorder?.cameraStream;
    if (stream) this.presence?.watch(stream);
    await this.flow.saveDevices(change);
    await this.flow.events.log('device-switched', { ...change });
  }

  /** Classes of the presence flags raised now: what the exam view keeps showing while they last. */
  presenceKinds(): FlagClass[] {
    const kinds = new Set<FlagClass>();
    for (const flag of this.presence?.active ?? []) kinds.add(FLAG_CLASS[flag]);
    return [...kinds];
  }

  /** Stops the recordings for good (at the end or an early end), once. */
  finish(): Promise<void> {
    this.ending ??= (async () => {
      this.integrity?.stop();
      this.presence?.stop();
      await this.recorder?.end();
      this.stopped = true;
      this.stored('stopped');
      this.host.requestUpdate();
    })();
    return this.ending;
  }

  /** Integrity signals and presence monitoring, from entry (or a reload mid-exam) to the end. */
  private startMonitoring(): void {
    const stream = this.recorder?.cameraStream;
    const me = this.flow.me;
    const log = this.flow.events;
    if (stream && me) {
      this.presence ??= new PresenceMonitor({
        now: () => this.flow.now(),
        fps: me.face.monitorFps,
        onChange: (c) => {
          void log.log('face-flag', { flag: c.flag, kind: c.kind, state: c.state }, c.at);
          this.host.requestUpdate();
        },
        onSummary: (pct, ms) => void log.log('face-summary', { visiblePct: Math.round(pct * 10) / 10, monitoredS: Math.round(ms / 1000) }),
      });
      this.presence.watch(stream);
    }
    if (this.integrity) return;
    this.integrity = new IntegrityMonitor((type, detail) => void log.log(type, detail));
    this.integrity.start();
  }

  private onStored(): void {
    if (this.storageFull && performance.now() - this.storageFullAt > STORAGE_WARNING_MS) {
      this.storageFull = false;
      this.host.requestUpdate();
    }
    this.stored('chunk');
  }

  /** Only a real shortage is "full"; any other write failure is reported as what it is. */
  private onStoreError(err: unknown): void {
    if (isWriteError(err)) {
      void this.flow.events.log('storage-error', { error: err instanceof Error ? err.message.slice(0, 200) : 'unknown' });
      return;
    }
    if (!isStorageFull(err)) return;
    this.storageFullAt = performance.now();
    if (this.storageFull) return;
    this.storageFull = true;
    void this.flow.events.log('storage-full');
    void this.reportFull();
    this.host.requestUpdate();
  }

  private async reportFull(): Promise<void> {
    const ids = await this.recorder?.ids();
    if (!ids) return;
    await Promise.all([ids.camera, ids.screen].map((id) =>
      reportProblem(id, 'storage full on the device: recording goes on at a lower bitrate', deviceUploadDeps).catch(() => undefined)));
  }
}
