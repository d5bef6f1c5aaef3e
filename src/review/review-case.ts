import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { z } from 'zod';
import { ReviewDecision, ReviewRow, type ReviewCase } from '../core/review-schema.js';
import { flagSpans, placeSegments, reviewMarkers, reviewSpan, type FlagSpan, type PlacedSegment, type ReviewMarker } from '../core/review.js';
import type { SessionStore } from '../net/session-store.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { localTime } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { errorText } from '../ui/error-text.js';
import { loadCase } from './case-source.js';
import { markerWords } from './marker-label.js';
import type { FlagJudgement, ReviewFlags } from './review-flags.js';
import type { CandidateJudgement, ReviewDecisionForm } from './review-decision.js';
import type { ReviewPlayer } from './review-player.js';
import { rowFacts } from './row-facts.js';
import './review-player.js';
import './review-flags.js';
import './review-decision.js';

const Judged = z.object({ decisions: z.array(ReviewDecision), row: ReviewRow });

/** One candidate's review (`#/review/<candidate>`): the streams in sync, the flags to judge, the timeline, the outcome. */
@customElement('review-case')
export class ReviewCaseView extends LitElement {
  static override styles = [baseStyles, css`
    :host { max-width: 1200px; margin: 0 auto; padding: 1rem; }
    .top { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
    .facts { display: flex; gap: 0.4rem 1rem; flex-wrap: wrap; color: #57606a; margin: 0 0 0.75rem; padding: 0; list-style: none; }
    .facts .bad { color: #a40e26; font-weight: 600; }
    .cols { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
    @media (max-width: 900px) { .cols { grid-template-columns: 1fr; } }
    ol.lane-list { list-style: none; padding: 0; margin: 0; max-height: 24rem; overflow: auto; }
    ol.lane-list li button { background: none; border: 0; color: inherit; min-height: 32px; padding: 0.1rem 0.3rem; font-weight: 400; text-align: left; width: 100%; }
    ol.lane-list li button:hover { background: #f6f8fa; }
    ol.lane-list li.here button { background: #ddf4ff; }
    .t { font-variant-numeric: tabular-nums; color: #57606a; margin-right: 0.5rem; }
  `];
  private readonly i18n = new LocaleController(this);
  @property({ attribute: false }) store!: SessionStore;
  @property() candidate = '';
  @state() private data: ReviewCase | null = null;
  @state() private error = '';
  @state() private busy = false;
  @state() private position = 0;
  @query('review-player') private player!: ReviewPlayer;
  @query('review-flags') private flagsPanel!: ReviewFlags;
  @query('review-decision') private decisionForm!: ReviewDecisionForm;
  private placed = new Map<PlacedSegment['kind'], PlacedSegment[]>();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    this.error = '';
    try {
      const loaded = await loadCase(this.store, this.candidate);
      this.placed = placeSegments(loaded.data.recordings);
      this.urlOf = loaded.urlOf;
      this.data = loaded.data;
    } catch (err) {
      this.error = errorText(err, localTime);
    }
  }

  private urlOf: (s: PlacedSegment) => string = () => '';
  /** What the page shows of the case, made again only when the case changes (not at every position). */
  private shown: { data: ReviewCase; markers: ReviewMarker[]; span: { from: number; to: number }; flags: FlagSpan[] } | null = null;

  private derived(data: ReviewCase): NonNullable<typeof this.shown> {
    if (this.shown?.data !== data) {
      const markers = reviewMarkers(data, data.progress);
      this.shown = { data, markers, span: reviewSpan(this.placed.values(), markers), flags: flagSpans(data.events) };
    }
    return this.shown;
  }

  /** True when stored. */
  private async send(path: string, body: unknown): Promise<boolean> {
    this.busy = true;
    this.error = '';
    try {
      const { decisions, row } = await this.store.api.authed('POST', `/api/review/candidates/${encodeURIComponent(this.candidate)}/${path}`, Judged, body);
      if (this.data) this.data = { ...this.data, decisions, row };
      return true;
    } catch (err) {
      this.error = errorText(err, localTime);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async onJudge(e: CustomEvent<FlagJudgement>): Promise<void> {
    const { flag, verdict, note } = e.detail;
    if (await this.send(`flags/${encodeURIComponent(flag)}`, { verdict, note })) this.flagsPanel.clearNote(flag);
  }
  private async onDecide(e: CustomEvent<CandidateJudgement>): Promise<void> {
    if (await this.send('decision', e.detail)) this.decisionForm.clear();
  }
  private seek(at: number): void {
    this.player.seek(at);
    this.player.focus();
  }

  override render() {
    const back = html`<a href="#/review">← ${t('review.back')}</a>`;
    if (!this.data) {
      return html`${back}${this.error ? html`<div class="error" role="alert">${this.error} <button class="secondary" @click=${() => this.load()}>${t('proctor.retry')}</button></div>` : html`<p role="status">${t('app.loading')}</p>`}`;
    }
    const d = this.data;
    const { markers, span, flags } = this.derived(d);
    const words = markerWords(markers);
    const here = markers.filter((m) => m.at <= this.position + 250).pop()?.id;
    return html`
      <div class="top">${back}<a href="#/review/${encodeURIComponent(d.candidate.id)}/report">${t('review.report')}</a><span class="note">${t('review.viewLogged')}</span></div>
      <h1>${d.candidate.name} <span class="note">${d.candidate.id} · ${d.candidate.room}${d.row.number !== null ? ` · ${t('review.number', { n: d.row.number })}` : ''}</span></h1>
      <ul class="facts">${rowFacts(d.row).map((f) => html`<li class=${f.bad ? 'bad' : ''}>${f.text}</li>`)}</ul>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : nothing}
      <review-player .placed=${this.placed} .markers=${markers} .span=${span} .urlOf=${this.urlOf}
        @position=${(e: CustomEvent<number>) => { this.position = e.detail; }}></review-player>
      <div class="cols">
        <section class="card" aria-labelledby="flags-h">
          <h2 id="flags-h">${t('review.flags')}</h2>
          <review-flags .flags=${flags} .decisions=${d.decisions} ?busy=${this.busy}
            @seek=${(e: CustomEvent<number>) => this.seek(e.detail)} @judge=${this.onJudge}></review-flags>
        </section>
        <section class="card" aria-labelledby="outcome-h">
          <h2 id="outcome-h">${t('review.outcome')}</h2>
          <review-decision .state=${d.row.state} .decisions=${d.decisions} ?busy=${this.busy} @decide=${this.onDecide}></review-decision>
        </section>
      </div>
      <section class="card" aria-labelledby="lane-h">
        <h2 id="lane-h">${t('review.timeline')}</h2>
        <ol class="lane-list">${markers.map((m, i) => html`<li class=${m.id === here ? 'here' : ''}>
          <button data-marker=${m.id} @click=${() => this.seek(m.at)}><span class="t">${words[i]?.time}</span>${words[i]?.text}</button></li>`)}</ol>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-case': ReviewCaseView }
}
