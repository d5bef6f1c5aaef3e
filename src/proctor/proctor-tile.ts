import { LitElement, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TimelineTimes as ExamTimes } from '../core/timeline.js';
import { completeness } from '../core/attention.js';
import { examStage } from '../core/flow.js';
import { formatDuration } from '../core/format-duration.js';
import type { Rung } from '../core/ladder.js';
import type { CandidateTile } from '../core/room-schema.js';
import { personalTimes } from '../core/timeline.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { timeOfDay } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { tileStyles } from './tile-styles.js';

/** What the live link shows of a candidate now. */
/** `picture`: the camera's video alone (a tile plays no sound). */
export interface TileLive { picture: MediaStream | null; thumbnail: string | null; rung: Rung | null; connected: boolean }

/**
 * One candidate on the proctor's grid: live video, a thumbnail or "events only" (the link's
 * rung), who and which number, the step (and time left in the exam), "offline since … — still
 * recording", standing flags, identity, unread 【求助】 and how much of each recording the server
 * holds.
 * @fires open-candidate - detail: { id }
 */
@customElement('proctor-tile')
export class ProctorTile extends LitElement {
  static override styles = [baseStyles, tileStyles];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) tile!: CandidateTile;
  @property({ attribute: false }) times!: ExamTimes;
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property({ attribute: false }) live: TileLive | null = null;
  /** The clock's second: the time left moves on with it. */
  @property({ attribute: false }) second = 0;

  override render() {
    const c = this.tile;
    const live = this.live;
    const video = live?.picture && (live.rung === 'video' || live.rung === 'high') ? live.picture : null;
    return html`
      <article class=${c.offlineSince !== null ? 'offline' : ''} data-candidate=${c.id} data-rung=${live?.rung ?? 'none'}>
        <button type="button" class="open" aria-label=${t('proctor.open', { name: c.name })} @click=${() => this.open(c.id)}></button>
        <div class="media">
          ${video ? html`<video .srcObject=${video} autoplay muted playsinline aria-label=${t('proctor.liveOf', { name: c.name })}></video>`
            : live?.thumbnail && live.rung === 'thumbnail' ? html`<img src=${live.thumbnail} alt=${t('proctor.thumbOf', { name: c.name })} />`
            : html`<p class="events-only">${t(this.noVideoText())}</p>`}
        </div>
        <header>
          <span><strong>${c.number !== null ? html`<span class="number">${c.number}</span> ` : nothing}${c.name}</strong> <span class="note">${c.id}</span></span>
          <span class="badges">
            ${c.unreadChat ? html`<span class="unread" role="status">${t('proctor.unread', { n: c.unreadChat })}</span>` : nothing}
            <span class="rung">${t(`proctor.rung.${live?.rung ?? 'none'}` as Parameters<typeof t>[0])}</span>
          </span>
        </header>
        <p class="step">${this.stepText()}</p>
        ${c.offlineSince !== null ? html`<p class="bad" role="status">${t('proctor.offlineSince', { time: timeOfDay(c.offlineSince) })}</p>` : nothing}
        <ul class="chips">
          ${c.flags.standing.map((f) => html`<li class=${f.kind}>${t(`proctor.flag.${f.kind}`)} · ${t(`flag.${f.flag}` as Parameters<typeof t>[0])}</li>`)}
          ${c.identity.needsLiveCheck && c.identity.confirmedAt === null ? html`<li class="suspicious">${t('proctor.identity.pending')}</li>` : nothing}
          ${c.identity.confirmedAt !== null ? html`<li class="ok">${t('proctor.identity.confirmed')}</li>` : nothing}
          ${c.integrity ? html`<li>${t('proctor.integrity', { n: c.integrity })}</li>` : nothing}
          ${c.deviceProblems ? html`<li class="cant-see">${t('proctor.deviceProblems', { n: c.deviceProblems })}</li>` : nothing}
          ${this.phoneChip()}
          ${c.flags.visiblePct !== null ? html`<li>${t('proctor.visible', { pct: Math.round(c.flags.visiblePct) })}</li>` : nothing}
        </ul>
        ${c.uploads.length ? html`<p class="uploads">${c.uploads.map((u) => {
          const share = completeness(u);
          return html`<span class=${u.problem ? 'bad' : ''}>${t(`upload.kind.${u.kind}` as Parameters<typeof t>[0])} ${u.verified ? '✓' : share === null ? '—' : `${Math.floor(share * 100)}%`}</span>`;
        })}</p>` : nothing}
      </article>`;
  }

  /** The evidence phone: what it does, or that it is silent or missing (from entry on). */
  private phoneChip() {
    const p = this.tile.phone;
    if (!p) return this.tile.progress.enteredAt !== null ? html`<li class="suspicious" data-phone="none">${t('proctor.phone.none')}</li>` : nothing;
    const silent = !p.online && p.state !== 'done';
    return html`<li class=${silent || p.overdue ? 'cant-see' : p.state === 'paused' ? 'suspicious' : 'ok'} data-phone=${p.state} ?data-overdue=${p.overdue}>${t('proctor.phone', { state: t(`phone.state.${p.state}`) })}${silent ? ` · ${t('proctor.phone.silent')}` : ''}${p.overdue ? ` · ${t('proctor.phone.overdue')}` : ''}</li>`;
  }

  /** Why there is no picture: the link fell to events only, or there is no link (yet, or any more). */
  private noVideoText(): 'proctor.eventsOnly' | 'proctor.noLive' | 'proctor.connecting' | 'proctor.noLiveEnded' {
    const c = this.tile;
    if (c.progress.endedAt !== null) return 'proctor.noLiveEnded';
    if (c.progress.enteredAt === null) return 'proctor.noLive';
    if (this.live?.rung === 'events' || !c.online) return 'proctor.eventsOnly';
    return 'proctor.connecting';
  }

  /** Where the candidate is: not logged in, a step before entry, the exam with time left, ended. */
  private stepText(): string {
    const c = this.tile;
    if (!c.loggedIn && c.progress.enteredAt === null) return t('proctor.step.out');
    if (c.progress.endedAt !== null) return t(c.progress.endedBy === 'proctor' ? 'proctor.step.endedByProctor' : 'proctor.step.ended');
    if (c.progress.enteredAt === null) return c.step ? t('proctor.step.before', { step: t(`flow.${c.step}` as Parameters<typeof t>[0]) }) : t('proctor.step.in');
    const { stage, until } = examStage(personalTimes(this.times, c.progress), this.now());
    if (stage === 'over') return t('proctor.step.ended');
    const left = formatDuration(Math.max(0, until - this.now()));
    return t(`proctor.stage.${stage}`, { left });
  }

  /** Opens the candidate the clicked tile showed (its id as drawn, not a newer one not drawn yet). */
  private open(id: string): void {
    this.dispatchEvent(new CustomEvent('open-candidate', { detail: { id }, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap { 'proctor-tile': ProctorTile }
}
