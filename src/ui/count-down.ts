import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { formatDuration } from '../core/format-duration.js';

/**
 * Time left until `until`, read from `now()` (the server clock) once a second.
 * @fires countdown-done - once, when the time is up
 */
@customElement('count-down')
export class CountDown extends LitElement {
  static override styles = css`
    :host { display: inline-block; font-variant-numeric: tabular-nums; font-size: 2.25rem; font-weight: 700; letter-spacing: 0.02em; }
  `;

  /** Server epoch ms to count down to. */
  @property({ type: Number }) until = 0;
  /** Source of server time; the device clock only when none is given (standalone use). */
  @property({ attribute: false }) now: () => number = () => Date.now();
  @property() label = '';

  private timer: ReturnType<typeof setInterval> | undefined;
  private done = false;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.requestUpdate(), 250);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('until')) this.done = false;
  }

  override render() {
    const left = this.until - this.now();
    if (left <= 0 && !this.done) {
      this.done = true;
      queueMicrotask(() => this.dispatchEvent(new Event('countdown-done', { bubbles: true, composed: true })));
    }
    return html`<span role="timer" aria-label=${this.label}>${formatDuration(left)}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'count-down': CountDown }
}
