import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { formatDuration } from '../core/format-duration.js';
import { formatBytes } from '../core/format-bytes.js';
import { normalizeBindingCode } from '../core/evidence-phone.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { ActionState } from '../ui/action-state.js';
import { statusStyles } from '../candidate/status-styles.js';
import { PhoneController } from './phone-controller.js';
import { ExamDeviceError } from './phone-session.js';
import '../ui/camera-preview.js';
import '../candidate/upload-status.js';
import './phone-scan.js';

/**
 * Phone mode (`#/evidence` or `#/evidence/<code>`, R4 and R10): the evidence camera in the
 * phone's browser, nothing to install — bind by code, choose the camera, film the 360° room
 * scan, fix the phone, record until the candidate's end, upload, "上传成功" after verification.
 */
@customElement('evidence-app')
export class EvidenceApp extends LitElement {
  static override styles = [baseStyles, statusStyles, css`
    .code-input { font: 700 1.5rem/1.2 ui-monospace, Menlo, monospace; letter-spacing: 0.1em; text-transform: uppercase; }
    .rec { color: #a40e26; font-weight: 700; }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.75rem; margin: 0.75rem 0; }
    dt { color: #57606a; }
    dd { margin: 0; }
  `];
  private readonly i18n = new LocaleController(this);
  private readonly c = new PhoneController(this);

  /** A code from the QR code's address. */
  @property() code = '';
  @state() private typed = '';
  private readonly action = new ActionState(this);
  @state() private confirmingStop = false;
  private triedLinkCode = false;

  override updated(): void {
    // Opened from the QR code: bind with its code at once (once; a failure shows the form).
    if (!this.c.loading && !this.triedLinkCode && this.code && this.c.phase() === 'bind') {
      this.triedLinkCode = true;
      void this.act(() => this.c.bind(this.code));
    }
  }

  private act(fn: () => Promise<void>): Promise<unknown> {
    return this.action.run(fn, (err) => (err instanceof ExamDeviceError ? t('phone.examDevice') : err instanceof DOMException ? t('exam.captureFailed', { detail: err.name }) : null));
  }


  override render() {
    if (this.c.loading) return html`<p role="status">${t('app.loading')}</p>`;
    const phase = this.c.phase();
    return html`<div data-phone-phase=${phase}>
      ${this.c.replaced ? html`<div class="error" role="alert">${t('phone.replaced')}</div>` : nothing}
      ${this.action.error ? html`<div class="error" role="alert">${this.action.error}</div>` : nothing}
      ${this.renderPhase(phase)}
      ${phase === 'upload' || phase === 'bind' ? nothing : this.renderFooter()}
    </div>`;
  }

  private renderPhase(phase: ReturnType<PhoneController['phase']>) {
    const who = this.c.session.me;
    switch (phase) {
      case 'bind': {
        const valid = normalizeBindingCode(this.typed) !== null;
        return html`<section class="card" aria-labelledby="bind-title"><h1 id="bind-title">${t('evidence.title')}</h1>
          <p>${t('phone.bind.intro')}</p>
          <form @submit=${(e: Event) => { e.preventDefault(); if (valid) void this.act(async () => { await this.c.bind(this.typed); this.typed = ''; }); }}>
            <label for="code">${t('evidence.codeLabel')}</label>
            <input id="code" class="code-input" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="12"
              placeholder="ABCD-EFGH" .value=${this.typed} @input=${(e: Event) => { this.typed = (e.target as HTMLInputElement).value; }} />
            <p class="note">${t('phone.bind.hint')}</p>
            <div class="actions"><button type="submit" ?disabled=${!valid || this.action.busy}>${this.action.busy ? t('phone.bind.busy') : t('phone.bind.submit')}</button></div>
          </form></section>
          <upload-status .recordings=${this.c.replaced ? this.c.uploads.recordings : this.c.uploads.recordings.filter((r) => r.state !== 'verified')} .outcomes=${this.c.uploads.outcomes}></upload-status>`;
      }
      case 'camera':
        return html`<section class="card" aria-labelledby="cam-title"><h1 id="cam-title">${t('phone.camera.title')}</h1>
          ${who ? html`<p data-testid="phone-who">${t('phone.who', { name: who.candidate.name, id: who.candidate.id })}</p>` : nothing}
          <p>${t('phone.camera.intro')}</p>
          <div class="actions">
            <button type="button" ?disabled=${this.action.busy} @click=${() => void this.act(() => this.c.chooseCamera('user'))}>${t('phone.camera.front')}</button>
            <button type="button" class="secondary" ?disabled=${this.action.busy} @click=${() => void this.act(() => this.c.chooseCamera('environment'))}>${t('phone.camera.rear')}</button>
          </div></section>`;
      case 'scan':
        return html`<phone-scan .stream=${this.c.recorder?.stream ?? null} @scan-done=${(e: CustomEvent<{ coverage: number; measured: boolean }>) => void this.act(() => this.c.scanned(e.detail))}></phone-scan>`;
      case 'framing':
        return html`<section class="card" aria-labelledby="frame-title"><h1 id="frame-title">${t('phone.frame.title')}</h1>
          <p>${t('phone.frame.intro')}</p>
          <camera-preview .stream=${this.c.recorder?.stream ?? null} label=${t('phone.preview')}></camera-preview>
          <div class="actions"><button type="button" @click=${() => void this.act(() => this.c.fixed())}>${t('phone.frame.done')}</button></div></section>`;
      case 'recording':
        return html`<section class="card" aria-labelledby="rec-title"><h1 id="rec-title">${t('phone.rec.title')}</h1>
          <p class="rec" role="status" data-testid="phone-recording">${this.c.recorder?.recording ? t('phone.rec.on') : t('phone.rec.off')}</p>
          <camera-preview .stream=${this.c.recorder?.stream ?? null} label=${t('phone.preview')}></camera-preview>
          <p class="note">${t('phone.rec.keep')}</p></section>`;
      case 'upload':
        return this.renderUpload();
    }
  }

  /** While filming: interruptions, battery, wake lock, time left, the stop button. */
  private renderFooter() {
    const end = this.c.endAt();
    const lasts = this.c.batteryLasts();
    const battery = this.c.battery;
    const bytes = this.c.uploads.recordings.reduce((sum, r) => sum + r.bytes, 0);
    return html`
      ${this.c.needsResume ? html`<div class="error" role="alert">${t('phone.resumeNeeded')}
        <div class="actions"><button type="button" @click=${() => void this.act(() => this.c.resume())}>${t('exam.resume')}</button></div></div>` : nothing}
      ${this.c.alert === 'hidden' ? html`<div class="warn" role="alert">${t('phone.alert.hidden')}</div>` : nothing}
      ${this.c.alert === 'track' ? html`<div class="warn" role="alert">${t('phone.alert.track')}</div>` : nothing}
      ${this.c.storage.ok ? nothing : html`<div class="warn" role="alert" data-testid="storage-warning">${t('phone.storageLow', { free: formatBytes(this.c.storage.freeBytes), need: formatBytes(this.c.storage.neededBytes) })}</div>`}
      ${this.c.alert === 'storage' ? html`<div class="warn" role="alert">${t('phone.alert.storage')}</div>` : nothing}
      ${lasts === false ? html`<div class="warn" role="alert" data-testid="battery-warning">${t('phone.batteryLow', { pct: Math.round((battery?.level ?? 0) * 100) })}</div>` : nothing}
      <section class="card"><dl>
        ${end !== null ? html`<dt>${t('phone.endsAt')}</dt><dd>${timeOfDay(end)}</dd>` : nothing}
        <dt>${t('phone.recorded')}</dt><dd>${formatBytes(bytes)}</dd>
        ${battery ? html`<dt>${t('phone.batteryLabel')}</dt><dd>${Math.round(battery.level * 100)}%${battery.charging ? ` · ${t('phone.charging')}` : ''}</dd>` : nothing}
        <dt>${t('phone.screenLabel')}</dt><dd>${this.c.awake ? t('phone.awake') : t('phone.notAwake')}</dd>
      </dl>
      ${this.confirmingStop ? html`<div role="alertdialog" aria-labelledby="stop-q"><p id="stop-q">${t('phone.stopConfirm')}</p>
        <div class="actions"><button type="button" @click=${() => { this.confirmingStop = false; void this.act(() => this.c.stop(true)); }}>${t('phone.stopYes')}</button>
        <button type="button" class="secondary" @click=${() => { this.confirmingStop = false; }}>${t('login.cancel')}</button></div></div>`
      : html`<div class="actions"><button type="button" class="secondary" @click=${() => { this.confirmingStop = true; }}>${t('phone.stop')}</button></div>`}
      </section>`;
  }

  private renderUpload() {
    const recordings = this.c.uploads.recordings;
    const all = recordings.length > 0 && recordings.every((r) => r.state === 'verified');
    const end = this.c.endAt();
    const limit = end === null ? null : end + (this.c.session.me?.uploadLimitMinutes ?? 60) * 60_000;
    const left = limit === null ? null : limit - this.c.now();
    return html`<section class="card" aria-labelledby="up-title"><h1 id="up-title">${t('phone.upload.title')}</h1>
        <p role="status" data-testid="phone-upload-state">${all ? t('exam.allUploaded') : t('phone.upload.wait')}</p>
        ${!all && left !== null ? html`<p class=${left > 0 ? 'note' : 'error'} role="timer">${left > 0 ? t('phone.upload.limit', { left: formatDuration(left) }) : t('phone.upload.late')}</p>` : nothing}
      </section>
      <upload-status .recordings=${recordings} .outcomes=${this.c.uploads.outcomes}></upload-status>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'evidence-app': EvidenceApp }
}
