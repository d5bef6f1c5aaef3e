import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { parseRoute, type Route } from '../core/route.js';
import { LocaleController, t } from '../i18n/i18n.js';
import '../ui/lang-switch.js';
import '../ui/offline-banner.js';

/** Each mode is its own chunk: a candidate never downloads proctor code. */
const loaders: Record<Route['mode'], () => Promise<unknown>> = {
  candidate: () => import('../candidate/candidate-app.js'),
  evidence: () => import('../evidence/evidence-app.js'),
  proctor: () => import('../proctor/proctor-app.js'),
  review: () => import('../review/review-app.js'),
};

/** The root element: a header with the language switch, and the mode the URL hash names. */
@customElement('invigil-app')
export class InvigilApp extends LitElement {
  static override styles = css`
    :host { display: block; min-height: 100vh; background: #f6f8fa; color: #1b1f24; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; padding: 0.5rem 1rem; background: #0a3069; color: #fff; }
    header span { font-weight: 700; }
    main { max-width: 44rem; margin: 0 auto; padding: 1rem; }
    main.wide { max-width: 72rem; }
    /* The proctor's grid uses the whole screen. */
    main.full { max-width: none; }
  `;
  private readonly i18n = new LocaleController(this);

  @state() private route: Route = parseRoute(location.hash);
  @state() private loaded: Route['mode'] | null = null;
  private readonly onHash = () => {
    this.route = parseRoute(location.hash);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
  }

  override willUpdate(): void {
    const mode = this.route.mode;
    if (this.loaded !== mode) void loaders[mode]().then(() => { this.loaded = mode; });
  }

  override render() {
    return html`
      <header><span>${t('app.name')}</span><lang-switch></lang-switch></header>
      <offline-banner></offline-banner>
      <main class=${this.route.mode === 'evidence' ? '' : this.route.mode === 'proctor' ? 'full' : 'wide'}>${this.renderMode()}</main>`;
  }

  private renderMode() {
    const r = this.route;
    if (this.loaded !== r.mode) return html`<p role="status">${t('app.loading')}</p>`;
    switch (r.mode) {
      case 'candidate': return html`<candidate-app .examId=${r.examId}></candidate-app>`;
      case 'evidence': return html`<evidence-app .code=${r.code}></evidence-app>`;
      case 'proctor': return html`<proctor-app></proctor-app>`;
      case 'review': return html`<review-app .path=${r.path}></review-app>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap { 'invigil-app': InvigilApp }
}
