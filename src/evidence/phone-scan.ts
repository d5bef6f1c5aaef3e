import { LitElement, css, html, nothing, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { SCAN_SECTORS, coveredShare, emptyCoverage, headingOf, markHeading, missingHeadings, type Coverage } from '../core/scan-coverage.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import '../ui/camera-preview.js';

/** How long to wait for a first compass reading before scanning by time instead. */
const NO_COMPASS_MS = 3_000;
/** The timed scan (no compass): long enough to turn slowly once around. */
export const TIMED_SCAN_MS = 30_000;
/** After this long an incomplete measured scan may be ended anyway (coverage is recorded). */
const GIVE_UP_MS = 45_000;

type OrientationEventCtor = typeof DeviceOrientationEvent & { requestPermission?: () => Promise<'granted' | 'denied'> };
type CompassEvent = DeviceOrientationEvent & { webkitCompassHeading?: number };

/**
 * The guided 360° room scan (R4), filmed by the recording already running: coverage measured from
 * the compass (`deviceorientationabsolute`, or Safari's `webkitCompassHeading` after its
 * permission prompt) as twelve 30° directions, the missing ones shown; without a compass, a timed
 * scan the candidate confirms, reported as "coverage not measured".
 * @fires scan-done - detail `{ coverage, measured }`
 */
@customElement('phone-scan')
export class PhoneScan extends LitElement {
  static override styles = [baseStyles, css`
    .dial { width: 11rem; height: 11rem; display: block; margin: 0.75rem auto; }
    .covered { fill: #2da44e; }
    .missing { fill: #d0d7de; }
    .needle { stroke: #0a5cc2; stroke-width: 3; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) stream: MediaStream | null = null;
  /** How long the timed scan (no compass) lasts. */
  @property({ type: Number }) timedMs = TIMED_SCAN_MS;
  @state() private coverage: Coverage = emptyCoverage();
  @state() private heading: number | null = null;
  @state() private mode: 'idle' | 'compass' | 'timed' = 'idle';
  @state() private startedAt = 0;
  @state() private tick = 0;
  private waitCompass: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private readonly onOrientation = (e: Event) => {
    const h = headingOf(e as CompassEvent, e.type === 'deviceorientationabsolute');
    if (h === null) return;
    if (this.mode !== 'compass') {
      clearTimeout(this.waitCompass);
      this.mode = 'compass';
    }
    this.heading = h;
    this.coverage = markHeading(this.coverage, h);
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening();
  }

  private async begin(): Promise<void> {
    // Safari asks for motion access, and only from a tap: this one.
    const ctor = (globalThis as { DeviceOrientationEvent?: OrientationEventCtor }).DeviceOrientationEvent;
    let allowed = ctor !== undefined;
    if (ctor?.requestPermission) allowed = await ctor.requestPermission().then((r) => r === 'granted').catch(() => false);
    this.startedAt = performance.now();
    this.ticker = setInterval(() => { this.tick++; }, 500);
    if (!allowed) {
      this.mode = 'timed';
      return;
    }
    window.addEventListener('deviceorientationabsolute', this.onOrientation);
    window.addEventListener('deviceorientation', this.onOrientation);
    this.mode = 'idle';
    this.waitCompass = setTimeout(() => {
      if (this.mode === 'idle') this.mode = 'timed';
    }, NO_COMPASS_MS);
    this.tick++;
  }

  private stopListening(): void {
    clearTimeout(this.waitCompass);
    clearInterval(this.ticker);
    window.removeEventListener('deviceorientationabsolute', this.onOrientation);
    window.removeEventListener('deviceorientation', this.onOrientation);
  }

  private done(): void {
    const measured = this.mode === 'compass';
    this.stopListening();
    this.dispatchEvent(new CustomEvent('scan-done', { detail: { coverage: measured ? coveredShare(this.coverage) : 0, measured }, bubbles: true, composed: true }));
  }

  private dial() {
    const r = 50;
    const step = (2 * Math.PI) / SCAN_SECTORS;
    const point = (a: number, radius: number) => `${60 + radius * Math.sin(a)} ${60 - radius * Math.cos(a)}`;
    return html`<svg class="dial" viewBox="0 0 120 120" role="img" aria-label=${t('phone.scan.dialLabel', { n: this.coverage.filter(Boolean).length, total: SCAN_SECTORS })}>
      ${this.coverage.map((covered, i) => svg`<path class=${covered ? 'covered' : 'missing'} data-sector=${i} data-covered=${covered ? 'yes' : 'no'}
        d="M60 60 L${point(i * step + 0.02, r)} A${r} ${r} 0 0 1 ${point((i + 1) * step - 0.02, r)} Z"></path>`)}
      ${svg`<circle cx="60" cy="60" r="22" fill="#fff"></circle>`}
      ${this.heading === null ? nothing : svg`<line class="needle" x1="60" y1="60" x2=${60 + 46 * Math.sin((this.heading * Math.PI) / 180)} y2=${60 - 46 * Math.cos((this.heading * Math.PI) / 180)}></line>`}
    </svg>`;
  }

  override render() {
    // `tick` changes twice a second while scanning: the countdown and the give-up button follow it.
    const elapsed = this.startedAt && this.tick >= 0 ? performance.now() - this.startedAt : 0;
    const missing = missingHeadings(this.coverage).length;
    const complete = missing === 0;
    const timedLeft = Math.max(0, Math.ceil((this.timedMs - elapsed) / 1000));
    return html`<section class="card" aria-labelledby="scan-title">
      <h1 id="scan-title">${t('phone.scan.title')}</h1>
      <p>${t('phone.scan.intro')}</p>
      <camera-preview .stream=${this.stream} label=${t('phone.preview')}></camera-preview>
      ${this.startedAt === 0 ? html`<div class="actions"><button type="button" @click=${() => void this.begin()}>${t('phone.scan.start')}</button></div>`
      : this.mode === 'timed' ? html`
        <div class="warn" role="status" data-scan="timed">${t('phone.scan.noCompass')}</div>
        <p role="timer">${timedLeft > 0 ? t('phone.scan.timedLeft', { s: timedLeft }) : t('phone.scan.timedDone')}</p>
        <div class="actions"><button type="button" ?disabled=${timedLeft > 0} @click=${() => this.done()}>${t('phone.scan.confirmTimed')}</button></div>`
      : html`
        ${this.dial()}
        <p role="status" data-scan=${complete ? 'complete' : 'incomplete'}>${complete ? t('phone.scan.complete') : t('phone.scan.missing', { n: missing, total: SCAN_SECTORS })}</p>
        <div class="actions">
          <button type="button" ?disabled=${!complete} @click=${() => this.done()}>${t('phone.scan.finish')}</button>
          ${!complete && elapsed > GIVE_UP_MS ? html`<button type="button" class="secondary" @click=${() => this.done()}>${t('phone.scan.finishPartial')}</button>` : nothing}
        </div>`}
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'phone-scan': PhoneScan }
}
