import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatBytes } from '../core/format-bytes.js';
import { nextProgress, type ShownProgress } from '../core/upload-progress.js';
import type { LocalRecording } from '../core/stored-schema.js';
import type { UploadOutcome } from '../net/uploader.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/**
 * The upload screen (R9, R10): per recording the bytes the server verified against those
 * recorded; "上传成功" only after the server re-derived the hash chain; the problem and the help
 * line when the server refused something.
 */
@customElement('upload-status')
export class UploadStatus extends LitElement {
  static override styles = [baseStyles, css`
    progress { width: 100%; height: 1rem; }
    .ok { color: #1a7f37; font-weight: 700; }
    ul { padding: 0; margin: 0; }
    li { margin: 0.5rem 0; list-style: none; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) recordings: LocalRecording[] = [];
  @property({ attribute: false }) outcomes = new Map<string, UploadOutcome>();
  @property() helpLine = '';
  /** The figures last shown per recording: never more than recorded, never backwards. */
  private readonly shown = new Map<string, ShownProgress>();

  override willUpdate(): void {
    for (const r of this.recordings) this.shown.set(r.id, nextProgress(this.shown.get(r.id), { bytes: r.bytes, verified: r.state === 'verified', uploadedBytes: r.uploadedBytes }, this.outcomes.get(r.id)));
  }

  override render() {
    if (!this.recordings.length) return nothing;
    return html`<section class="card" aria-label=${t('exam.uploading')}><ul>
      ${this.recordings.map((r) => {
        const o = this.outcomes.get(r.id);
        const verified = r.state === 'verified';
        const { done, total } = this.shown.get(r.id) ?? { done: 0, total: r.bytes };
        const name = r.kind === 'camera' ? t('exam.camera') : r.kind === 'screen' ? t('exam.screen') : t('evidence.title');
        return html`<li data-recording=${r.kind}>
          <strong>${name}</strong>
          <progress max=${Math.max(1, total)} value=${done} aria-label=${name}></progress>
          ${verified ? html`<span class="ok">${t('exam.uploaded')}</span> <span>${t('exam.verifiedTotal', { total: formatBytes(total) })}</span>`
          : r.problem ? html`<div class="error" role="alert">${t('exam.problem', { problem: r.problem, help: this.helpLine })}</div>`
          : html`<span>${t('exam.progress', { done: formatBytes(done), total: formatBytes(total) })} · ${o?.state === 'offline' ? t('exam.waiting') : t('exam.uploading')}</span>`}
        </li>`;
      })}</ul>
      ${this.recordings.every((r) => r.state === 'verified') ? nothing : html`<p class="note">${t('exam.keepOpen')}</p>`}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'upload-status': UploadStatus }
}
