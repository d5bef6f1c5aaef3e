import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, queryAll, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { RecordingKind } from '../core/recording-schema.js';
import { KIND_ORDER, nextMarker, segmentGaps, type PlacedSegment, type ReviewMarker } from '../core/review.js';
import { formatDuration } from '../core/format-duration.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import { cssProps } from '../ui/css-props.js';
import { StreamSync, SyncClock } from './stream-sync.js';
import { markerWords } from './marker-label.js';
import { timeOfDay } from '../i18n/time-of-day.js';

export const SPEEDS = [0.5, 1, 1.5, 2, 4] as const;
const STEP_MS = 5_000;

/**
 * The review player (R13): camera, screen and phone recordings on one server-time line, one
 * play/pause/seek/speed for all, each segment at its start and gaps left as gaps, the markers
 * under it. Keys: space, ←/→ 5 s, J/K next/previous marker.
 * The videos are `preload="metadata"`: paused, each loads what its seek needs and stops. With
 * "auto" each went on downloading megabytes after every seek, delivered through the page's main
 * thread — three at once made a reviewer's seek take 0.5–1.5 s (measured: `bench -- review --explain`).
 * @fires position - detail: server ms, about 4 times a second
 */
@customElement('review-player')
export class ReviewPlayer extends LitElement {
  static override styles = [baseStyles, css`
    :host { outline: none; }
    .streams { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 0.5rem; }
    figure { margin: 0; position: relative; background: #24292f; border-radius: 6px; aspect-ratio: 16 / 9; overflow: hidden; }
    figure video { width: 100%; height: 100%; object-fit: contain; display: block; }
    figcaption { position: absolute; z-index: 1; left: 0.4rem; top: 0.3rem; color: #fff; background: rgba(0, 0, 0, 0.6); border-radius: 4px; padding: 0 0.4rem; font-size: 0.85rem; }
    .gap { position: absolute; inset: 0; background: #24292f; display: grid; place-items: center; color: #d0d7de; text-align: center; padding: 1rem; }
    .controls { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; margin: 0.6rem 0; }
    .clock { font-variant-numeric: tabular-nums; font-weight: 600; }
    select { font: inherit; min-height: 44px; padding: 0 0.5rem; border-radius: 6px; border: 1px solid #8c959f; }
    .line { position: relative; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; padding: 0.3rem 0; cursor: pointer; user-select: none; }
    /* A right margin too: a marker at the very end (the exam's end) stays inside the box. */
    .lane { position: relative; height: 14px; margin: 3px 0.6rem 3px 5.5rem; }
    .lane-name { position: absolute; left: -5.3rem; top: -3px; font-size: 0.75rem; color: #57606a; width: 5rem; overflow: hidden; white-space: nowrap; }
    .seg { position: absolute; top: 0; bottom: 0; background: #54aeff; border-radius: 2px; }
    .hole { position: absolute; top: 0; bottom: 0; background: repeating-linear-gradient(45deg, #ffebe9 0 4px, #fff 4px 8px); border: 1px dashed #cf222e; box-sizing: border-box; }
    .marks { height: 26px; }
    .mark { position: absolute; top: 0; min-height: 0; height: 22px; min-width: 8px; padding: 0; border: 0; border-radius: 3px; transform: translateX(-4px); }
    .mark.phase { background: #1b1f24; width: 3px; transform: none; }
    .mark.flag.suspicious { background: #cf222e; }
    .mark.flag.cant-see { background: #d4a72c; }
    .mark.integrity { background: #8250df; width: 8px; }
    .mark.outage { background: #57606a; opacity: 0.6; }
    .mark.chat { background: #1a7f37; width: 8px; }
    .mark.action { background: #0a5cc2; width: 8px; }
    .heads { position: absolute; top: 0; bottom: 0; left: 5.5rem; right: 0.6rem; pointer-events: none; }
    .head { position: absolute; top: 0; bottom: 0; width: 2px; background: #cf222e; }
  `];

  private readonly i18n = new LocaleController(this);
  /** Each kind's segments in server time. */
  @property({ attribute: false }) placed = new Map<RecordingKind, PlacedSegment[]>();
  @property({ attribute: false }) markers: ReviewMarker[] = [];
  @property({ attribute: false }) span = { from: 0, to: 1 };
  /** The URL of one segment (with its media ticket). */
  @property({ attribute: false }) urlOf: (s: PlacedSegment) => string = () => '';
  @state() private position = 0;
  @state() playing = false;
  @state() private rate = 1;
  /** The kinds showing nothing now (in a gap, or failed to load); a stream still loading is not one of them. */
  @state() private empty = '';
  @queryAll('video') private videos!: NodeListOf<HTMLVideoElement>;
  private clock: SyncClock | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastTold = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.tabIndex = 0;
    this.addEventListener('keydown', this.onKey);
    this.timer = setInterval(() => this.step(), 50);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKey);
    clearInterval(this.timer);
    this.clock?.pause();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('placed') || changed.has('urlOf')) {
      const streams = [...this.videos].map((v) => new StreamSync(v, this.placed.get(v.dataset.kind as RecordingKind) ?? [], this.urlOf));
      this.clock?.pause();
      this.clock = new SyncClock(streams, this.clock?.now() ?? this.firstPicture());
      this.clock.tick();
    }
  }

  /** The position, server epoch ms. */
  now(): number {
    return this.clock?.now() ?? this.span.from;
  }
  /** The largest distance between a stream's picture and the position, ms. */
  drift(): number {
    return this.clock?.drift() ?? 0;
  }
  /** Each stream's picture on the server-time line (null in a gap), in the order camera, screen, phone. */
  positions(): { kind: RecordingKind; at: number | null; state: string }[] {
    return (this.clock?.streams ?? []).map((s) => ({ kind: s.video.dataset.kind as RecordingKind, at: s.position(), state: s.state }));
  }
  /** Every stream has its picture in place (none loading or seeking; playing, each with data ahead). */
  settled(): boolean {
    return (this.clock?.streams ?? []).every((s) => !s.stalls(this.playing));
  }

  play(): void {
    this.clock?.play();
    this.playing = true;
  }
  pause(): void {
    this.clock?.pause();
    this.playing = false;
  }
  seek(t: number): void {
    const at = Math.max(this.span.from, Math.min(this.span.to, t));
    this.clock?.seek(at);
    this.position = at;
    this.tell(true);
  }
  setRate(rate: number): void {
    this.rate = rate;
    this.clock?.setRate(rate);
  }

  private kinds(): RecordingKind[] {
    return KIND_ORDER.filter((k) => (this.placed.get(k)?.length ?? 0) > 0);
  }

  /** Where the first picture starts: reviewers open on evidence, not on an empty gap. */
  private firstPicture(): number {
    const starts = [...this.placed.values()].flatMap((l) => l.map((s) => s.from));
    return starts.length ? Math.min(...starts) : this.span.from;
  }

  private step(): void {
    if (!this.clock) return;
    this.clock.tick();
    // A stream that reached or left a gap (or failed) is drawn again, even paused.
    this.empty = this.clock.streams.filter((s) => s.state === 'gap' || s.state === 'failed').map((s) => s.video.dataset.kind).join(' ');
    const now = this.clock.now();
    if (this.playing && now >= this.span.to) this.pause();
    this.position = now;
    this.tell(false);
  }

  private tell(always: boolean): void {
    const wall = performance.now();
    if (!always && wall - this.lastTold < 250) return;
    this.lastTold = wall;
    this.dispatchEvent(new CustomEvent('position', { detail: this.position }));
  }

  private readonly onKey = (e: KeyboardEvent) => {
    if (e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) return;
    const key = e.key.toLowerCase();
    if (key === ' ') {
      if (this.playing) this.pause();
      else this.play();
    } else if (key === 'arrowleft') this.seek(this.now() - STEP_MS);
    else if (key === 'arrowright') this.seek(this.now() + STEP_MS);
    else if (key === 'j' || key === 'k') {
      const m = nextMarker(this.markers, this.now(), key === 'j' ? 1 : -1);
      if (m) this.seek(m.at);
    } else return;
    e.preventDefault();
  };

  private pct(t: number): number {
    const width = Math.max(1, this.span.to - this.span.from);
    return Math.max(0, Math.min(100, ((t - this.span.from) / width) * 100));
  }

  /** Left and width on the line (set through the CSSOM: the policy allows no style attributes). */
  private box(from: number, to: number): { left: string; width: string } {
    return { left: `${this.pct(from)}%`, width: `${Math.max(0.3, this.pct(to) - this.pct(from))}%` };
  }

  private onLineClick(e: MouseEvent): void {
    const line = e.currentTarget as HTMLElement;
    const lane = line.querySelector('.lane');
    if (!lane) return;
    const box = lane.getBoundingClientRect();
    this.seek(this.span.from + ((e.clientX - box.left) / box.width) * (this.span.to - this.span.from));
  }

  override render() {
    const kinds = this.kinds();
    const clock = timeOfDay(this.position);
    const words = markerWords(this.markers);
    return html`
      <div class="streams">
        ${repeat(kinds, (k) => k, (k) => {
          const gap = this.empty.split(' ').includes(k);
          return html`<figure>
            <video preload="metadata" playsinline ?muted=${k !== 'camera'} data-kind=${k} aria-label=${t(`upload.kind.${k}`)}></video>
            <figcaption>${t(`upload.kind.${k}`)}</figcaption>
            ${gap ? html`<div class="gap" data-gap=${k}>${t('review.gap')}</div>` : nothing}
          </figure>`;
        })}
      </div>
      ${kinds.length === 0 ? html`<p class="warn">${t('review.noRecordings')}</p>` : nothing}
      <div class="controls">
        <button @click=${() => (this.playing ? this.pause() : this.play())} aria-keyshortcuts="Space">${this.playing ? t('review.pause') : t('review.play')}</button>
        <span class="clock" aria-live="off">${clock} · ${formatDuration(Math.max(0, this.position - this.span.from))} / ${formatDuration(this.span.to - this.span.from)}</span>
        <label>${t('review.speed')}
          <select @change=${(e: Event) => this.setRate(Number((e.target as HTMLSelectElement).value))}>
            ${SPEEDS.map((s) => html`<option value=${s} ?selected=${s === this.rate}>${s}×</option>`)}
          </select>
        </label>
        <span class="note">${t('review.keys')}</span>
      </div>
      <div class="line" @click=${this.onLineClick} role="group" aria-label=${t('review.timeline')}>
        ${kinds.map((k) => {
          const segs = this.placed.get(k) ?? [];
          return html`<div class="lane" data-lane=${k}><span class="lane-name">${t(`upload.kind.${k}`)}</span>
            ${segs.map((s) => html`<span class="seg" ${cssProps(this.box(s.from, s.to))}></span>`)}
            ${segmentGaps(segs).map((g) => html`<span class="hole" data-hole title=${t('review.gap')} ${cssProps(this.box(g.from, g.to))}></span>`)}
          </div>`;
        })}
        <div class="lane marks"><span class="lane-name">${t('review.markers')}</span>
          ${this.markers.map((m, i) => html`<button class="mark ${m.type} ${m.kind ?? ''}" data-marker=${m.id} title=${words[i]?.label ?? ''} aria-label=${words[i]?.label ?? ''}
            ${cssProps(m.until !== undefined ? this.box(m.at, m.until ?? this.span.to) : { left: `${this.pct(m.at)}%` })}
            @click=${(e: Event) => { e.stopPropagation(); this.seek(m.at); }}></button>`)}
        </div>
        <div class="heads"><span class="head" ${cssProps({ left: `${this.pct(this.position)}%` })}></span></div>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-player': ReviewPlayer }
}
