import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { batteryLasts, phonePhase, type PhonePhase, type PhoneReport } from '../core/evidence-phone.js';
import { personalTimes } from '../core/timeline.js';
import { expectedRecordingBytes, storageVerdict, type StorageVerdict } from '../core/storage-budget.js';
import { EventLog } from '../candidate/event-log.js';
import { UploadsController } from '../candidate/uploads-controller.js';
import { isStorageFull } from '../storage/recording-store.js';
import { recorderWorker } from '../media/recorder-worker-client.js';
import { PhoneRecorder } from './phone-recorder.js';
import { PhoneSession, isEnded } from './phone-session.js';
import { PhoneLive } from './phone-live.js';

const REPORT_MS = 10_000;
interface BatteryManager { level: number; charging: boolean }
type NavigatorWithBattery = Navigator & { getBattery?: () => Promise<BatteryManager> };

/**
 * The phone mode's state and work (R4, R10), without UI: binding, the chosen camera, the scan,
 * the recording (started with the camera, so the scan is filmed), its stop at the candidate's end
 * (or by hand), the upload, status reports every few seconds, and what the phone must tell the
 * candidate (interrupted camera, page hidden, battery, replaced by another phone).
 */
export class PhoneController implements ReactiveController {
  readonly session = new PhoneSession();
  readonly uploads: UploadsController;
  readonly events: EventLog;
  recorder: PhoneRecorder | null = null;
  loading = true;
  /** Recording must be started again by a tap (after a reload, or the camera ended). */
  needsResume = false;
  /** Another phone was bound, or the session ended: this one records no more. */
  replaced = false;
  battery: BatteryManager | null = null;
  awake = false;
  /** Checked before recording starts: whether the phone has room for the rest of the exam. */
  storage: StorageVerdict = { ok: true };
  alert: 'hidden' | 'track' | 'storage' | null = null;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private reporter: ReturnType<typeof setInterval> | undefined;
  private hiddenAt: number | null = null;
  private readonly onVisibility = () => void this.visibility();

  private readonly live = new PhoneLive(this.session, () => (this.recorder?.recording ? this.recorder.stream : null), () => this.ended({ code: 'session_ended' }));

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
    this.uploads = new UploadsController(host, () => this.session.owner);
    this.events = new EventLog(() => this.session.owner, () => this.now());
    this.events.onLogged(() => this.uploads.kick());
  }

  now(): number {
    return this.session.clock.now();
  }

  phase(): PhonePhase {
    const r = this.session.record;
    return phonePhase({
      bound: this.session.store.session !== null && r !== null && !this.replaced,
      cameraChosen: r?.facing != null, scanned: r?.scan != null, fixed: r?.fixedAt != null,
      stopped: r?.stoppedAt != null,
    });
  }

  /** The candidate's end (extra time and an early end included), server time; null before /me. */
  endAt(): number | null {
    const me = this.session.me;
    if (!me) return null;
    const p = me.progress;
    return p.endedAt ?? personalTimes(me.exam.times, p).endAt;
  }

  batteryLasts(): boolean | null {
    const end = this.endAt();
    return end === null ? null : batteryLasts(this.battery, end - this.now());
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.start();
  }

  /** Live view to the proctors while bound and filming: followed when the phase or the camera changes. */
  hostUpdated(): void {
    if (this.loading) return;
    const shown = { phase: this.phase(), camera: this.recorder?.recording ? this.recorder.stream : null };
    if (shown.phase === this.liveFor.phase && shown.camera === this.liveFor.camera) return;
    this.liveFor = shown;
    this.live.sync(shown.phase !== 'bind');
  }

  private liveFor: { phase: PhonePhase | null; camera: MediaStream | null } = { phase: null, camera: null };

  hostDisconnected(): void {
    this.live.stop();
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearInterval(this.ticker);
    clearInterval(this.reporter);
  }

  private async start(): Promise<void> {
    await this.session.restore();
    if (this.session.store.session) {
      await this.session.clock.syncNow();
      await this.session.load().catch((err: unknown) => this.ended(err));
    }
    this.battery = (await (navigator as NavigatorWithBattery).getBattery?.().catch(() => null)) ?? null;
    this.loading = false;
    await this.uploads.refresh();
    // A reload mid-recording: the camera is opened again at once (a new segment of the same set).
    const phase = this.phase();
    if (phase === 'scan' || phase === 'framing' || phase === 'recording') await this.resume().catch(() => { this.needsResume = true; });
    this.ticker = setInterval(() => void this.tick(), 1_000);
    this.reporter = setInterval(() => void this.report(), REPORT_MS);
    void this.report();
    this.host.requestUpdate();
  }

  async bind(code: string): Promise<void> {
    await this.session.bind(code);
    this.replaced = false;
    await this.uploads.refresh();
    void this.report();
  }

  /** The chosen camera opens and the evidence recording starts (the scan is part of it). */
  async chooseCamera(facing: 'environment' | 'user'): Promise<void> {
    const r = this.session.record;
    if (!r) return;
    await this.checkStorage();
    await this.session.patch({ ...r, facing });
    await this.resume();
  }

  async resume(): Promise<void> {
    const r = this.session.record;
    const owner = this.session.owner;
    const me = this.session.me;
    if (!r?.facing || !owner || !me) return;
    this.recorder ??= new PhoneRecorder(me.recording, {
      now: () => this.now(),
      onChunk: () => this.uploads.kickSoon(),
      onError: (err) => {
        this.alert = 'storage';
        void this.events.log(isStorageFull(err) ? 'storage-full' : 'storage-error');
        this.host.requestUpdate();
      },
      onTrack: (kind, what) => {
        this.alert = 'track';
        if (what === 'ended') this.needsResume = true;
        warn();
        void this.events.log(what === 'ended' ? 'track-ended' : 'track-muted', { track: kind });
        this.host.requestUpdate();
      },
      onAwake: (held) => { this.awake = held; this.host.requestUpdate(); },
    });
    await this.recorder.open(r.facing);
    await this.recorder.start(owner, r.recordingId);
    if (this.needsResume) void this.events.log('recording-resumed');
    this.needsResume = false;
    this.alert = null;
    this.host.requestUpdate();
  }

  /** Room for the rest of the exam (twice the expected bytes, as the laptop's entry asks)? Warned, not blocking. */
  private async checkStorage(): Promise<void> {
    const me = this.session.me;
    const end = this.endAt();
    if (!me || end === null) return;
    const est = await navigator.storage.estimate().catch(() => undefined);
    const seconds = Math.max(0, (end - this.now()) / 1000);
    this.storage = storageVerdict(est?.quota, est?.usage, expectedRecordingBytes({ ...me.recording, screenBitsPerSecond: 0 }, seconds));
  }

  async scanned(scan: { coverage: number; measured: boolean }): Promise<void> {
    const r = this.session.record;
    if (!r) return;
    await this.session.patch({ ...r, scan });
    void this.events.log('phone-scan', { coverage: Math.round(scan.coverage * 100) / 100, measured: scan.measured });
    void this.report();
  }

  async fixed(): Promise<void> {
    const r = this.session.record;
    if (!r) return;
    await this.session.patch({ ...r, fixedAt: this.now() });
    void this.report();
  }

  /** Stops the evidence recording for good (by hand, or at the candidate's end). */
  async stop(byHand: boolean): Promise<void> {
    const r = this.session.record;
    if (!r || r.stoppedAt !== null) return;
    await this.session.patch({ ...r, stoppedAt: this.now() });
    await this.recorder?.finish(r.recordingId);
    if (!this.recorder) await recorderWorker().stop(r.recordingId).catch(() => undefined);
    void this.events.log('phone-stopped', { byHand });
    this.uploads.kick();
    await this.uploads.refresh();
    void this.report();
  }

  private async tick(): Promise<void> {
    const end = this.endAt();
    const phase = this.phase();
    if (end !== null && phase !== 'bind' && phase !== 'upload' && this.now() >= end) await this.stop(false);
    this.host.requestUpdate();
  }

  private async visibility(): Promise<void> {
    const phase = this.phase();
    if (phase !== 'scan' && phase !== 'framing' && phase !== 'recording') return;
    if (document.visibilityState === 'hidden') {
      this.hiddenAt = this.now();
      warn();
      await this.events.log('phone-hidden');
    } else {
      const away = this.hiddenAt === null ? 0 : Math.round((this.now() - this.hiddenAt) / 1000);
      this.hiddenAt = null;
      if (away > 0) this.alert = 'hidden';
      await this.events.log('phone-visible', { awayS: away });
      if (!this.recorder?.recording) await this.resume().catch(() => { this.needsResume = true; });
      this.host.requestUpdate();
    }
  }

  /** What the laptop and the proctor see of this phone; also learns of extra time or an early end. */
  private async report(): Promise<void> {
    if (!this.session.store.session || this.replaced) return;
    const r = this.session.record;
    const phase = this.phase();
    const recordings = this.uploads.recordings;
    const allVerified = recordings.length > 0 && recordings.every((x) => x.state === 'verified');
    const report: PhoneReport = {
      state: phase === 'upload' ? (allVerified ? 'done' : 'uploading') : phase === 'scan' ? 'scanning' : phase === 'camera' ? 'bound'
        : phase === 'recording' && (this.needsResume || !this.recorder?.recording) ? 'paused' : phase === 'bind' ? 'bound' : phase,
      scan: r?.scan ?? null,
      battery: this.battery ? { level: this.battery.level, charging: this.battery.charging } : null,
      recordedBytes: recordings.reduce((sum, x) => sum + x.bytes, 0),
      recordings: recordings.map((x) => ({ id: x.id, bytes: x.bytes })),
      awake: document.visibilityState === 'visible' && this.awake,
    };
    try {
      // Without the whole reply read yet (bound offline), read it; otherwise the report's reply carries the progress.
      await this.session.report(report);
      if (!this.session.me) await this.session.load();
    } catch (err) {
      this.ended(err);
    }
    this.host.requestUpdate();
  }

  private ended(err: unknown): void {
    if (!isEnded(err)) return;
    this.replaced = true;
    void this.recorder?.finish(this.session.record?.recordingId ?? '');
    this.host.requestUpdate();
  }
}

/** Vibration and a short tone where the browser allows: the candidate must look at the phone. */
function warn(): void {
  if ('vibrate' in navigator) navigator.vibrate([300, 150, 300]);
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.4);
    osc.addEventListener('ended', () => void ctx.close());
  } catch {
    // No audio here: the banner on return says it.
  }
}
