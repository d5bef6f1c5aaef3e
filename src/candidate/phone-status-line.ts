import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PhoneStatus } from '../core/evidence-phone.js';
import { formatBytes } from '../core/format-bytes.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import { statusStyles } from './status-styles.js';

/**
 * The evidence phone as the laptop shows it (R4 step, exam panel, upload screen): bound or not,
 * what it does, when it was last heard, how much of its recording the server holds.
 */
@customElement('phone-status-line')
export class PhoneStatusLine extends LitElement {
  static override styles = [baseStyles, statusStyles, css`p { margin: 0.25rem 0; }`];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) phone: PhoneStatus | null = null;
  @property({ attribute: false }) now: () => number = () => Date.now();

  override render() {
    const p = this.phone;
    if (!p) return html`<p data-phone="none"><span class="badge warn">${t('phone.none')}</span></p>`;
    const ago = Math.max(0, Math.round((this.now() - p.lastHeardAt) / 1000));
    const scan = p.report?.scan;
    return html`<p data-phone=${p.state}>
        <span class="badge ${p.online ? 'pass' : 'warn'}">${t(`phone.state.${p.state}`)}</span>
        ${p.online ? nothing : html`<span>${t('phone.lastHeard', { s: ago })}</span>`}
      </p>
      ${scan ? html`<p class="note">${scan.measured ? t('phone.scanMeasured', { pct: Math.round(scan.coverage * 100) }) : t('phone.scanNotMeasured')}</p>` : nothing}
      <p class="note" data-testid="phone-bytes">${p.verified ? t('phone.verified', { bytes: formatBytes(p.heldBytes) }) : t('phone.held', { bytes: formatBytes(p.heldBytes) })}</p>
      ${p.report?.battery ? html`<p class="note">${t('phone.battery', { pct: Math.round(p.report.battery.level * 100) })}${p.report.battery.charging ? ` · ${t('phone.charging')}` : ''}</p>` : nothing}
      ${p.replaced > 0 ? html`<p class="note">${t('phone.replacedCount', { n: p.replaced })}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'phone-status-line': PhoneStatusLine }
}
