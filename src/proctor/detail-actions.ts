import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { CandidateTile } from '../core/room-schema.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import type { DetailAction } from './proctor-detail.js';

/**
 * The proctor's actions on one candidate: confirm identity after a live check, send a warning,
 * grant extra time (minutes, with a reason), end the exam for cause (with a reason, confirmed).
 * @fires act - detail: DetailAction
 */
@customElement('detail-actions')
export class DetailActions extends LitElement {
  static override styles = [baseStyles, css`
    fieldset { border: 1px solid #d0d7de; border-radius: 6px; margin: 0.75rem 0; padding: 0.5rem 0.75rem; }
    legend { font-weight: 700; }
    textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 0.4rem; border: 1px solid #8c959f; border-radius: 6px; }
    textarea:focus-visible, input:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
    button.danger { background: #cf222e; border-color: #cf222e; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) tile!: CandidateTile;
  @property({ type: Boolean }) busy = false;
  @property({ type: Number }) leftMs = 0;
  @state() private confirmingEnd = false;
  @query('#warning') private warning!: HTMLTextAreaElement;
  @query('#minutes') private minutes!: HTMLInputElement;
  @query('#extra-reason') private extraReason!: HTMLTextAreaElement;
  @query('#end-reason') private endReason!: HTMLTextAreaElement;

  override render() {
    const c = this.tile;
    const ended = c.progress.endedAt !== null;
    const idText = c.identity.confirmedAt !== null ? t('proctor.identity.confirmedAt', { by: c.identity.confirmedBy ?? '', time: timeOfDay(c.identity.confirmedAt) })
      : c.identity.needsLiveCheck ? t('proctor.identity.pending') : t('proctor.identity.none');
    return html`
      <fieldset>
        <legend>${t('proctor.identity')}</legend>
        <p>${idText}${c.identity.match ? html` · ${t(`identity.short.${c.identity.match}` as Parameters<typeof t>[0])}` : nothing}</p>
        ${c.identity.confirmedAt === null ? html`<button type="button" ?disabled=${this.busy} @click=${() => this.act('identity-confirm', {})}>${t('proctor.confirmIdentity')}</button>` : nothing}
      </fieldset>
      <fieldset>
        <legend>${t('proctor.warning')}</legend>
        <label for="warning">${t('proctor.warningText')}</label>
        <textarea id="warning" maxlength="500"></textarea>
        <div class="actions"><button type="button" ?disabled=${this.busy || ended} @click=${this.warn}>${t('proctor.sendWarning')}</button></div>
      </fieldset>
      <fieldset>
        <legend>${t('proctor.extraTime')}</legend>
        <label for="minutes">${t('proctor.minutes')}</label>
        <input id="minutes" type="number" min="1" max="120" step="1" value="5" inputmode="numeric" />
        <label for="extra-reason">${t('proctor.reason')}</label>
        <textarea id="extra-reason" maxlength="500">${c.outages.count ? t('proctor.outageReason', { n: c.outages.count }) : ''}</textarea>
        <div class="actions"><button type="button" ?disabled=${this.busy || ended || c.progress.enteredAt === null} @click=${this.extra}>${t('proctor.grant')}</button></div>
      </fieldset>
      <fieldset>
        <legend>${t('proctor.endForCause')}</legend>
        <label for="end-reason">${t('proctor.reason')}</label>
        <textarea id="end-reason" maxlength="500"></textarea>
        ${this.confirmingEnd ? html`<div role="alertdialog" aria-labelledby="end-q" class="warn"><p id="end-q">${t('proctor.endConfirm', { name: c.name })}</p>
          <div class="actions"><button type="button" class="danger" ?disabled=${this.busy} @click=${this.end}>${t('proctor.endYes')}</button>
          <button type="button" class="secondary" @click=${() => { this.confirmingEnd = false; }}>${t('login.cancel')}</button></div></div>`
        : html`<div class="actions"><button type="button" class="danger" ?disabled=${this.busy || ended || c.progress.enteredAt === null} @click=${() => { this.confirmingEnd = this.endReason.value.trim() !== ''; }}>${t('proctor.endForCause')}</button></div>`}
      </fieldset>`;
  }

  private warn(): void {
    const text = this.warning.value.trim();
    if (!text) return;
    this.act('warning', { text });
    this.warning.value = '';
  }

  private extra(): void {
    const minutes = Number(this.minutes.value);
    const reason = this.extraReason.value.trim();
    if (!(minutes > 0) || !reason) return;
    this.act('extra-time', { minutes, reason });
  }

  private end(): void {
    const reason = this.endReason.value.trim();
    this.confirmingEnd = false;
    if (reason) this.act('end', { reason });
  }

  private act(kind: Exclude<DetailAction['kind'], 'chat'>, body: unknown): void {
    this.dispatchEvent(new CustomEvent<DetailAction>('act', { detail: { kind, body }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'detail-actions': DetailActions }
}
