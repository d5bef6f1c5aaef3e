import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ReviewCase, ReviewState } from '../core/review-schema.js';
import { KIND_ORDER, currentDecisions, flagSpans, flagSubject, placeSegments, segmentAt, type FlagSpan } from '../core/review.js';
import { pickText } from '../core/localized.js';
import { formatBytes } from '../core/format-bytes.js';
import { formatDuration } from '../core/format-duration.js';
import type { SessionStore } from '../net/session-store.js';
import { LocaleController, hasMessage, locale, t } from '../i18n/i18n.js';
import { localTime } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { errorText } from '../ui/error-text.js';
import { loadCase, type LoadedCase } from './case-source.js';
import { rowFacts } from './row-facts.js';
import { stillFrame } from './still-frame.js';

interface Still { kind: string; url: string | null }

/**
 * The incident report of one candidate (`#/review/<candidate>/report`), printable (and a PDF by the
 * browser's print): the exam, identity, the confirmed flags each with still frames taken from the
 * recordings here, outages, chat, every decision, and each recording's SHA-256 chain head — so the
 * evidence can be checked again later with `npx invigil verify <exam> <candidate>`.
 */
@customElement('review-report')
export class ReviewReport extends LitElement {
  static override styles = [baseStyles, css`
    :host { max-width: 960px; margin: 0 auto; padding: 1rem; background: #fff; }
    table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
    th, td { text-align: left; padding: 0.3rem 0.4rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
    .stills { display: flex; gap: 0.4rem; flex-wrap: wrap; }
    .stills figure { margin: 0; }
    .stills img { width: 200px; border: 1px solid #d0d7de; display: block; }
    .stills figcaption { font-size: 0.8rem; color: #57606a; }
    code { font-size: 0.8rem; overflow-wrap: anywhere; }
    section { break-inside: avoid; margin-bottom: 1rem; }
    @media print { .no-print { display: none; } :host { padding: 0; } }
  `];
  private readonly i18n = new LocaleController(this);
  @property({ attribute: false }) store!: SessionStore;
  @property() candidate = '';
  @state() private loaded: LoadedCase | null = null;
  @state() private stills = new Map<string, Still[]>();
  @state() private error = '';
  private readonly urls: string[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const url of this.urls) URL.revokeObjectURL(url);
  }

  private async load(): Promise<void> {
    try {
      this.loaded = await loadCase(this.store, this.candidate, true);
      await this.takeStills(this.loaded);
    } catch (err) {
      this.error = errorText(err, localTime);
    }
  }

  private confirmed(d: ReviewCase): FlagSpan[] {
    const current = currentDecisions(d.decisions);
    return flagSpans(d.events).filter((f) => current.get(flagSubject(f.id))?.decision === 'confirmed');
  }

  /** A still of each recording at each confirmed flag (one second in, where the flag stands). */
  private async takeStills({ data, urlOf }: LoadedCase): Promise<void> {
    const placed = placeSegments(data.recordings);
    for (const f of this.confirmed(data)) {
      const list: Still[] = [];
      for (const kind of KIND_ORDER) {
        const segments = placed.get(kind) ?? [];
        const at = segmentAt(segments, Math.min(f.from + 1_000, f.to ?? Infinity));
        if (!at) continue;
        const blob = await stillFrame(urlOf(at.segment), at.offsetMs);
        const url = blob ? URL.createObjectURL(blob) : null;
        if (url) this.urls.push(url);
        list.push({ kind, url });
      }
      this.stills = new Map(this.stills).set(f.id, list);
    }
    this.setAttribute('data-stills-done', '');
  }

  override render() {
    if (!this.loaded) return this.error ? html`<div class="error" role="alert">${this.error}</div>` : html`<p role="status">${t('app.loading')}</p>`;
    const d = this.loaded.data;
    const when = (ms: number) => new Date(ms).toLocaleString(locale(), { hour12: false });
    const current = currentDecisions(d.decisions);
    const outcome = current.get('candidate');
    const flagName = (f: FlagSpan) => {
      const key = `flag.${f.flag}`;
      return `${t(`proctor.flag.${f.kind}`)}: ${hasMessage(key) ? t(key) : f.flag}`;
    };
    return html`
      <p class="no-print"><a href="#/review/${encodeURIComponent(d.candidate.id)}">← ${t('review.backToCase')}</a>
        <button @click=${() => window.print()}>${t('report.print')}</button></p>
      <h1>${t('report.title')}</h1>
      <p>${pickText(d.exam.title, locale())} (${d.exam.id}) · ${d.candidate.name} (${d.candidate.id}) · ${d.candidate.room}${d.row.number !== null ? ` · ${t('review.number', { n: d.row.number })}` : ''}</p>
      <p class="note">${t('report.printed', { time: when(Date.now()) })}</p>
      <section><h2>${t('review.outcome')}</h2>
        <p data-outcome=${d.row.state}><strong>${t(`review.state.${d.row.state}`)}</strong>${outcome ? ` · ${outcome.by} · ${when(outcome.at)}${outcome.note ? ` — ${outcome.note}` : ''}` : ''}</p>
        <ul>${rowFacts(d.row).map((f) => html`<li>${f.text}</li>`)}</ul></section>
      <section><h2>${t('report.confirmed')}</h2>
        ${this.confirmed(d).length === 0 ? html`<p class="note">${t('report.noConfirmed')}</p>` : html`<table>
          <thead><tr><th>${t('proctor.time')}</th><th>${t('review.flag')}</th><th>${t('review.duration')}</th><th>${t('report.stills')}</th></tr></thead>
          <tbody>${this.confirmed(d).map((f) => {
            const dec = current.get(flagSubject(f.id));
            return html`<tr data-flag=${f.id}><td>${when(f.from)}</td>
              <td>${flagName(f)}${dec ? html`<div class="note">${dec.by} · ${when(dec.at)}${dec.note ? ` — ${dec.note}` : ''}</div>` : nothing}</td>
              <td>${f.to === null ? t('review.notCleared') : formatDuration(f.to - f.from)}</td>
              <td><div class="stills">${(this.stills.get(f.id) ?? []).map((s) => html`<figure>
                ${s.url ? html`<img src=${s.url} alt=${t('report.stillOf', { kind: t(`upload.kind.${s.kind as 'camera'}`), time: when(f.from) })} />` : html`<p class="note">${t('report.noStill')}</p>`}
                <figcaption>${t(`upload.kind.${s.kind as 'camera'}`)}</figcaption></figure>`)}</div></td></tr>`;
          })}</tbody></table>`}</section>
      <section><h2>${t('proctor.outages')}</h2>
        ${d.outages.length === 0 ? html`<p class="note">${t('proctor.noOutages')}</p>` : html`<ul>${d.outages.map((o) => html`<li>${when(o.from)} – ${o.to === null ? t('proctor.ongoing') : `${when(o.to)} (${formatDuration(o.to - o.from)})`}</li>`)}</ul>`}</section>
      <section><h2>${t('proctor.chat')}</h2>
        ${d.chat.length === 0 ? html`<p class="note">${t('report.noChat')}</p>` : html`<ul>${d.chat.map((m) => html`<li>${when(m.at)} · ${t(m.from === 'proctor' ? 'review.chat.proctor' : 'review.chat.candidate')}: ${m.text}</li>`)}</ul>`}</section>
      <section><h2>${t('report.decisions')}</h2>
        <ol>${d.decisions.map((x) => html`<li>${when(x.at)} · ${x.by} · ${x.subject === 'candidate' ? t(`review.state.${x.decision as ReviewState}`) : `${t(`review.verdict.${x.decision as 'confirmed'}`)} (${x.subject.slice(5)})`}${x.note ? ` — ${x.note}` : ''}</li>`)}</ol></section>
      <section><h2>${t('report.evidence')}</h2>
        <table><thead><tr><th>${t('report.recording')}</th><th>${t('report.size')}</th><th>${t('report.verifiedAt')}</th><th>${t('report.chainHead')}</th></tr></thead>
          <tbody>${[...d.recordings].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)).map((r) => html`<tr><td>${t(`upload.kind.${r.kind}`)}<div class="note">${r.id}</div></td><td>${formatBytes(r.bytes)}</td>
            <td>${r.verifiedAt === null ? t('report.notVerified') : when(r.verifiedAt)}</td><td><code data-chain=${r.id}>${r.chainHead ?? '—'}</code></td></tr>`)}</tbody></table>
        <p>${t('report.verifyHow')} <code>npx invigil verify ${d.exam.id} ${d.candidate.id}</code></p></section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'review-report': ReviewReport }
}
