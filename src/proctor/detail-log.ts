import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { CandidateDetail } from '../core/room-schema.js';
import { formatDuration } from '../core/format-duration.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';

/** What happened so far, in server time: the events, the outages with their length, the proctors' actions. */
@customElement('detail-log')
export class DetailLog extends LitElement {
  static override styles = [baseStyles, css`
    .scroll { max-height: 16rem; overflow: auto; border: 1px solid #d0d7de; border-radius: 6px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
    th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
    th { position: sticky; top: 0; background: #f6f8fa; }
    td.detail { color: #57606a; overflow-wrap: anywhere; }
    td:not(.detail) { white-space: nowrap; }
  `];
  private readonly i18n = new LocaleController(this);
  @property({ attribute: false }) detail!: CandidateDetail;

  override render() {
    const d = this.detail;
    return html`
      <h3>${t('proctor.outages')}</h3>
      ${d.outages.length ? html`<ul data-outages>${d.outages.map((o) => html`<li>${timeOfDay(o.from)} – ${o.to === null ? t('proctor.ongoing') : timeOfDay(o.to)}
        (${formatDuration((o.to ?? Date.now()) - o.from)})</li>`)}</ul>` : html`<p class="note">${t('proctor.noOutages')}</p>`}
      <h3>${t('proctor.events')}</h3>
      ${d.events.length === 0 ? html`<p class="note">${t('proctor.noEvents')}</p>` : html`<div class="scroll" tabindex="0" aria-label=${t('proctor.events')}>
        <table>
          <thead><tr><th scope="col">${t('proctor.time')}</th><th scope="col">${t('proctor.event')}</th><th scope="col">${t('proctor.eventDetail')}</th></tr></thead>
          <tbody>${[...d.events].reverse().map((e) => html`<tr data-event=${e.type}>
            <td>${timeOfDay(e.at)}</td><td>${t(`event.${e.type}` as Parameters<typeof t>[0])}</td>
            <td class="detail">${e.detail ? Object.entries(e.detail).map(([k, v]) => `${k}: ${String(v)}`).join(', ') : nothing}</td></tr>`)}</tbody>
        </table>
      </div>`}`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'detail-log': DetailLog }
}
