import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { RecordingSettings } from '../core/exam-schema.js';
import { checkPassed, evaluateCheck, type CheckMeasures, type CheckResult } from '../core/system-check.js';
import { extraDisplay } from '../media/displays.js';
import { measureUploadKbps } from '../net/measure-upload.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import type { LevelBar } from '../ui/level-bar.js';
import '../ui/camera-preview.js';
import '../ui/level-bar.js';
import { statusStyles } from './status-styles.js';
import { capturePreview } from '../media/capture.js';
import { canRecordWebm } from '../media/pick-mime-type.js';

interface BatteryManager { level: number; charging: boolean }
type NavigatorWithBattery = Navigator & { getBattery?: () => Promise<BatteryManager> };

/**
 * R1 device check: camera (preview), microphone (level), battery, network and upload rate,
 * storage, recording support, displays — each pass / warn / fail with what to do.
 * @fires step-done - the candidate goes on (nothing failed)
 */
@customElement('step-system-check')
export class StepSystemCheck extends LitElement {
  static override styles = [baseStyles, statusStyles, css`
    .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
    @media (max-width: 40rem) { .grid { grid-template-columns: 1fr; } }
  `];
  private readonly i18n = new LocaleController(this);

  /** Expected exam length, for the storage estimate. */
  @property({ type: Number }) examSeconds = 30 * 60;
  @state() private measures: CheckMeasures | null = null;
  @state() private stream: MediaStream | null = null;
  @state() private running = false;
  @query('level-bar') private levelBar?: LevelBar;
  private micTimer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.run();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.micTimer);
    this.stream?.getTracks().forEach((tr) => tr.stop());
  }

  private async run(): Promise<void> {
    this.running = true;
    clearInterval(this.micTimer);
    this.stream?.getTracks().forEach((tr) => tr.stop());
    let camera: CheckMeasures['camera'] = 'ok';
    try {
      this.stream = await capturePreview(true);
    } catch (err) {
      const name = err instanceof DOMException ? err.name : '';
      camera = name === 'NotAllowedError' ? 'denied' : name === 'NotFoundError' ? 'missing' : 'error';
      this.stream = null;
    }
    const battery = await (navigator as NavigatorWithBattery).getBattery?.().catch(() => undefined);
    const est = await navigator.storage.estimate().catch(() => undefined);
    // Asked here first (the recorder asks again): granted, the recordings survive a full disk.
    const persisted = await navigator.storage.persist().catch(() => null);
    const online = navigator.onLine;
    this.measures = {
      camera,
      micPeak: this.stream?.getAudioTracks().length ? 0 : null,
      battery: battery ? { level: battery.level, charging: battery.charging } : null,
      online,
      uploadKbps: online ? await measureUploadKbps() : null,
      storage: est?.quota !== undefined ? { quota: est.quota, usage: est.usage ?? 0, persisted } : null,
      recorder: canRecordWebm(),
      extraDisplay: extraDisplay(),
    };
    // The microphone passes once the candidate has spoken: follow the meter's peak.
    this.micTimer = setInterval(() => {
      if (this.measures && this.measures.micPeak !== null && this.levelBar) this.measures = { ...this.measures, micPeak: this.levelBar.peak };
    }, 500);
    this.running = false;
  }

  private results(): CheckResult[] {
    return this.measures ? evaluateCheck(this.measures, RecordingSettings.parse({}), this.examSeconds) : [];
  }

  override render() {
    const results = this.results();
    return html`
      <section class="card" aria-labelledby="check-title">
        <h1 id="check-title">${t('check.title')}</h1>
        <p>${t('check.intro')}</p>
        <p class="note">${t('check.browsers')}</p>
        <div class="grid">
          <div><camera-preview .stream=${this.stream} label=${t('check.item.camera')}></camera-preview></div>
          <div><p>${t('check.speak')}</p><level-bar .stream=${this.stream} label=${t('check.item.microphone')}></level-bar></div>
        </div>
        ${this.running && !this.measures ? html`<p role="status">${t('check.running')}</p>` : nothing}
        <ul class="status-list">${results.map((r) => html`<li data-item=${r.item} data-status=${r.status}>
          <span class="badge ${r.status}">${t(`status.${r.status}`)}</span>
          <strong>${t(`check.item.${r.item}`)}</strong><span>${t(`check.${r.item}.${r.advice}` as Parameters<typeof t>[0])}</span>
          ${r.item === 'network' && this.measures?.uploadKbps ? html`<span class="note">${t('check.kbps', { kbps: this.measures.uploadKbps })}</span>` : nothing}
        </li>`)}</ul>
        <div class="actions">
          <button type="button" ?disabled=${this.running || !checkPassed(results)} @click=${() => this.dispatchEvent(new Event('step-done', { bubbles: true, composed: true }))}>${t('flow.next')}</button>
          <button type="button" class="secondary" ?disabled=${this.running} @click=${() => void this.run()}>${t('check.again')}</button>
        </div>
        ${results.length && !checkPassed(results) ? html`<div class="error" role="alert">${t('check.blocked')}</div>` : nothing}
      </section>`;
  }
}


declare global {
  interface HTMLElementTagNameMap { 'step-system-check': StepSystemCheck }
}
