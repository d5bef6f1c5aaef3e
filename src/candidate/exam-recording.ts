import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { CandidateMe } from '../core/api-schema.js';
import { pickText } from '../core/localized.js';
import { formatBytes } from '../core/format-bytes.js';
import type { LocalRecording } from '../core/stored-schema.js';
import { NotWholeScreenError } from '../media/capture.js';
import { deviceUploadDeps } from '../net/sync-all.js';
import { UploadScheduler } from '../net/upload-scheduler.js';
import type { UploadOutcome } from '../net/uploader.js';
import { isStorageFull, listRecordings } from '../storage/recording-store.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import { ExamRecorder } from './exam-recorder.js';

/**
 * The minimal exam page (`#/exam`): start recording on an explicit action, end the exam, and the
 * upload screen (R10) — per recording the bytes verified on the server against those recorded,
 * "上传成功" only after verification. The full flow (R1–R10) replaces the start button.
 */
@customElement('exam-recording')
export class ExamRecording extends LitElement {
  static override styles = [baseStyles, css`
    progress { width: 100%; height: 1rem; }
    .ok { color: #1a7f37; font-weight: 700; }
    li { margin: 0.5rem 0; list-style: none; }
    ul { padding: 0; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) me: CandidateMe | null = null;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @state() private phase: 'idle' | 'recording' | 'confirm' | 'ended' = 'idle';
  @state() private error = '';
  @state() private warning = '';
  @state() private recordings: LocalRecording[] = [];
  @state() private outcomes = new Map<string, UploadOutcome>();
  @state() private resumable = false;
  private recorder: ExamRecorder | null = null;
  private readonly scheduler = new UploadScheduler(deviceUploadDeps, (o) => {
    this.outcomes = o;
    void this.refresh();
  });

  /** Closing before the upload is verified: the browser asks, and the page says it will continue. */
  private readonly onBeforeUnload = (e: BeforeUnloadEvent) => {
    if (this.recordings.some((r) => r.state !== 'verified')) e.preventDefault();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.scheduler.start();
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('beforeunload', this.onBeforeUnload);
    this.scheduler.stop();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('me') && this.me) {
      this.recorder = new ExamRecorder(this.me, {
        now: () => this.now(),
        onChunk: () => this.scheduler.kick(),
        onError: (err) => { this.error = isStorageFull(err) ? t('exam.storageFull') : String(err); },
      });
      void this.recorder.ended().then((ended) => { if (ended) this.phase = 'ended'; });
    }
  }

  private async refresh(): Promise<void> {
    const all = await listRecordings();
    const order = { camera: 0, screen: 1, evidence: 2 };
    this.recordings = all.filter((r) => r.examId === this.me?.exam.id && r.candidateId === this.me.candidate.id)
      .sort((a, b) => order[a.kind] - order[b.kind]);
    this.resumable = this.phase === 'idle' && this.recordings.some((r) => r.state === 'recording');
  }

  private async start(): Promise<void> {
    this.error = '';
    try {
      const verdict = await this.recorder?.checkStorage();
      if (verdict && !verdict.ok) {
        const mb = (n: number) => Math.ceil(n / 1_048_576);
        this.warning = t('exam.storageLow', { free: mb(verdict.freeBytes), need: mb(verdict.neededBytes) });
      }
      await this.recorder?.start();
      this.phase = 'recording';
    } catch (err) {
      this.error = err instanceof NotWholeScreenError ? t('exam.notWholeScreen') : t('exam.captureFailed', { detail: err instanceof Error ? err.name : String(err) });
    }
    await this.refresh();
  }

  private async end(): Promise<void> {
    await this.recorder?.end();
    this.phase = 'ended';
    this.scheduler.kick();
    await this.refresh();
  }

  override render() {
    if (!this.me) return html`<p>${t('exam.needLogin')}</p>`;
    return html`
      <section class="card" aria-labelledby="exam-rec-title">
        <h1 id="exam-rec-title">${t('exam.title')}</h1>
        ${this.phase === 'idle' ? html`<div class="actions"><button type="button" @click=${this.start}>${this.resumable ? t('exam.resume') : t('exam.start')}</button></div>` : nothing}
        ${this.phase === 'recording' ? html`<p role="status">${t('exam.recording')}</p>
          <div class="actions"><button type="button" @click=${() => { this.phase = 'confirm'; }}>${t('exam.end')}</button></div>` : nothing}
        ${this.phase === 'ended' ? html`<p role="status">${this.recordings.every((r) => r.state === 'verified') ? t('exam.allUploaded') : t('exam.ended')}</p>` : nothing}
        ${this.phase === 'confirm' ? html`<div role="alertdialog" aria-labelledby="end-title" class="card">
          <p id="end-title">${t('exam.confirmEndBody')}</p>
          <div class="actions"><button type="button" @click=${this.end}>${t('exam.confirmEnd')}</button>
          <button type="button" class="secondary" @click=${() => { this.phase = 'recording'; }}>${t('login.cancel')}</button></div></div>` : nothing}
        ${this.warning ? html`<div class="error" role="status">${this.warning}</div>` : nothing}
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      </section>
      ${this.recordings.length ? this.renderUploads() : nothing}`;
  }

  private renderUploads() {
    const help = this.me ? pickText(this.me.exam.helpLine, locale()) : '';
    return html`<section class="card" aria-label=${t('exam.uploading')}><ul>
      ${this.recordings.map((r) => {
        const o = this.outcomes.get(r.id);
        const verified = r.state === 'verified';
        const done = verified ? r.bytes : (o?.verifiedBytes ?? 0);
        return html`<li data-recording=${r.kind}>
          <strong>${r.kind === 'camera' ? t('exam.camera') : t('exam.screen')}</strong>
          <progress max=${Math.max(1, r.bytes)} value=${done} aria-label=${r.kind}></progress>
          ${verified ? html`<span class="ok">${t('exam.uploaded')}</span>`
          : r.problem ? html`<div class="error" role="alert">${t('exam.problem', { problem: r.problem, help })}</div>`
          : html`<span>${t('exam.progress', { done: formatBytes(done), total: formatBytes(r.bytes) })} · ${o?.state === 'offline' ? t('exam.waiting') : t('exam.uploading')}</span>`}
        </li>`;
      })}</ul>
      ${this.recordings.every((r) => r.state === 'verified') ? nothing : html`<p class="note">${t('exam.keepOpen')}</p>`}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'exam-recording': ExamRecording }
}
