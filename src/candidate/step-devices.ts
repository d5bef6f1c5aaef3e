import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { listDevices, type DeviceLists } from '../media/devices.js';
import { LocaleController, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';
import '../ui/camera-preview.js';
import '../ui/level-bar.js';

export interface DeviceSwitch { camera?: string; microphone?: string }

/**
 * R8 device confirmation, while recording: live preview and level, 【刷新设备】 reloads the lists,
 * a camera or microphone switch keeps the recording going (a new segment of the same set).
 * @fires switch-device - detail: DeviceSwitch
 * @fires step-done
 */
@customElement('step-devices')
export class StepDevices extends LitElement {
  static override styles = [baseStyles, css`
    select { font: inherit; width: 100%; min-height: 44px; padding: 0.4rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; }
    select:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
    .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; }
    @media (max-width: 40rem) { .grid { grid-template-columns: 1fr; } }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) stream: MediaStream | null = null;
  @property({ type: Boolean }) busy = false;
  @property() error = '';
  @state() private lists: DeviceLists = { cameras: [], microphones: [] };

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  private async reload(): Promise<void> {
    this.lists = await listDevices().catch(() => ({ cameras: [], microphones: [] }));
  }

  private current(kind: 'video' | 'audio'): string {
    const track = kind === 'video' ? this.stream?.getVideoTracks()[0] : this.stream?.getAudioTracks()[0];
    return track?.getSettings().deviceId ?? '';
  }

  private choose(kind: 'camera' | 'microphone', e: Event): void {
    const detail: DeviceSwitch = { [kind]: (e.target as HTMLSelectElement).value };
    this.dispatchEvent(new CustomEvent('switch-device', { detail, bubbles: true, composed: true }));
  }

  override render() {
    const cam = this.current('video');
    const mic = this.current('audio');
    return html`
      <section class="card" aria-labelledby="devices-title">
        <h1 id="devices-title">${t('devices.title')}</h1>
        <p role="status">${t('devices.recording')}</p>
        <div class="grid">
          <camera-preview .stream=${this.stream} label=${t('check.item.camera')}></camera-preview>
          <div>
            <label for="camera">${t('devices.camera')}</label>
            <select id="camera" ?disabled=${this.busy} @change=${(e: Event) => this.choose('camera', e)}>
              ${this.lists.cameras.map((d) => html`<option value=${d.id} ?selected=${d.id === cam}>${d.label}</option>`)}
            </select>
            <label for="microphone">${t('devices.microphone')}</label>
            <select id="microphone" ?disabled=${this.busy} @change=${(e: Event) => this.choose('microphone', e)}>
              ${this.lists.microphones.map((d) => html`<option value=${d.id} ?selected=${d.id === mic}>${d.label}</option>`)}
            </select>
            <p class="note">${t('check.speak')}</p>
            <level-bar .stream=${this.stream} label=${t('check.item.microphone')}></level-bar>
          </div>
        </div>
        ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
        <div class="actions">
          <button type="button" @click=${() => this.dispatchEvent(new Event('step-done', { bubbles: true, composed: true }))}>${t('flow.next')}</button>
          <button type="button" class="secondary" @click=${() => void this.reload()}>${t('devices.refresh')}</button>
        </div>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'step-devices': StepDevices }
}
