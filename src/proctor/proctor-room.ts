import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { byAttention, gridColumns, gridSize, inHeldOrder } from '../core/attention.js';
import { pickText } from '../core/localized.js';
import type { SessionStore } from '../net/session-store.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { errorText } from '../ui/error-text.js';
import { ActionState } from '../ui/action-state.js';
import { localTime } from '../i18n/time-of-day.js';
import { baseStyles } from '../ui/ui-styles.js';
import { RoomController } from './room-controller.js';
import type { TileLive } from './proctor-tile.js';
import type { DetailAction } from './proctor-detail.js';
import './proctor-tile.js';
import './proctor-detail.js';

/**
 * The proctor's room (`#/proctor` after login): a grid of 4, 9 or 16 tiles for the screen,
 * paginated beyond, sorted by what needs attention; a tile opens the candidate's detail.
 * @fires logout
 */
@customElement('proctor-room')
export class ProctorRoom extends LitElement {
  static override styles = [baseStyles, css`
    .bar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.75rem; }
    .bar h1 { margin: 0; }
    /* Columns, rows and height set from the screen (gridColumns): a page of tiles fills it without scrolling. */
    .grid { display: grid; gap: 10px; grid-template-columns: repeat(var(--cols, 2), minmax(0, 1fr)); grid-template-rows: repeat(var(--rows, 2), minmax(0, 1fr)); }
    .pages { display: flex; gap: 0.5rem; align-items: center; justify-content: center; margin: 0.75rem 0; }
    .alerts { background: #cf222e; color: #fff; border-radius: 999px; padding: 0.1rem 0.7rem; font-weight: 700; }
    select { font: inherit; min-height: 44px; border-radius: 6px; border: 1px solid #8c959f; padding: 0 0.5rem; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) store!: SessionStore;
  @state() private page = 0;
  @state() private perPage: 'auto' | 4 | 9 | 16 = 'auto';
  private readonly action = new ActionState(this);
  /** The grid's box on screen: what is left of the window under the bar (and above the pager). */
  @state() private box = { width: 0, height: 0 };
  @query('.grid') private gridEl?: HTMLElement;
  private ctl: RoomController | null = null;
  /** Made once the session store is set (a property, after construction). */
  private get room(): RoomController {
    return this.ensureRoom();
  }

  private ensureRoom(): RoomController {
    this.ctl ??= new RoomController(this, this.store, () => this.dispatchEvent(new Event('logout', { bubbles: true, composed: true })));
    return this.ctl;
  }
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** The order last shown, and the order held while the proctor aims at the grid (see `hold`). */
  private shown: string[] = [];
  private held: { order: string[]; until: number } | null = null;
  private readonly onResize = () => this.requestUpdate();
  /** One clock function for every tile (a new one each render would re-render them all). */
  private readonly tileNow = () => this.room.clock.now();
  private readonly lives = new Map<string, TileLive>();

  override connectedCallback(): void {
    this.ensureRoom();
    super.connectedCallback();
    this.ticker = setInterval(() => this.requestUpdate(), 1000);
    window.addEventListener('resize', this.onResize);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    window.removeEventListener('resize', this.onResize);
  }

  private size(): number {
    return this.perPage === 'auto' ? gridSize(window.innerWidth, window.innerHeight) : this.perPage;
  }

  /**
   * Tiles do not move while the proctor aims at the grid: pointer moves, presses, keys and focus
   * inside it hold the order shown for 3 s after the last of them, and so does focus resting on a
   * tile (tiles are drawn by place: a re-sort would put another candidate under a keyboard user's
   * focus); then the order catches up.
   */
  private hold(): void {
    this.held = { order: this.held?.order ?? this.shown, until: performance.now() + 3_000 };
  }

  private pageTiles() {
    if (this.gridEl?.matches(':focus-within')) this.hold();
    if (this.held && performance.now() > this.held.until) this.held = null;
    const tiles = [...this.room.tiles.values()];
    const all = this.held ? inHeldOrder(tiles, this.held.order) : byAttention(tiles);
    this.shown = all.map((x) => x.id);
    const size = this.size();
    const pages = Math.max(1, Math.ceil(all.length / size));
    const page = Math.min(this.page, pages - 1);
    return { tiles: all.slice(page * size, page * size + size), pages, page, size, all };
  }

  /** Live links for the tiles on screen (and the candidate opened); none for the rest. */
  override updated(): void {
    if (!this.room.room) return;
    const { tiles, pages } = this.pageTiles();
    this.room.watch(tiles.map((x) => x.id));
    if (this.gridEl) {
      const top = this.gridEl.getBoundingClientRect().top + window.scrollY;
      const box = { width: this.gridEl.clientWidth, height: Math.floor(window.innerHeight - top - (pages > 1 ? 72 : 16)) };
      if (Math.abs(box.width - this.box.width) > 2 || Math.abs(box.height - this.box.height) > 2) this.box = box;
      // Through the CSSOM: the Content-Security-Policy allows no inline style attributes.
      for (const [k, v] of Object.entries(this.layout(this.size()))) this.gridEl.style.setProperty(k, v);
    }
  }

  /** Columns and rows for this page, and the grid's height (at least 200 px a row on a small screen). */
  private layout(size: number): Record<string, string> {
    if (!this.box.width) return {};
    const cols = gridColumns(size, this.box.width, Math.max(this.box.height, 200));
    const rows = Math.ceil(size / cols);
    return { '--cols': String(cols), '--rows': String(rows), height: `${Math.max(this.box.height, rows * 200)}px` };
  }

  override render() {
    const r = this.room.room;
    if (!r) {
      const failed = this.room.error ? errorText(this.room.error, localTime) : '';
      return failed ? html`<div class="error" role="alert">${failed}<div class="actions"><button type="button" @click=${() => void this.room.load()}>${t('proctor.retry')}</button></div></div>`
        : html`<p role="status">${t('app.loading')}</p>`;
    }
    const { tiles, pages, page, size } = this.pageTiles();
    const now = () => this.room.clock.now();
    const second = Math.floor(now() / 1000);
    return html`
      <section class="card bar">
        <div>
          <h1>${pickText(r.exam.title, locale())}</h1>
          <p class="note">${r.proctor.name} (${r.proctor.id}) · ${r.rooms.map((x) => x.name).join('、')} · ${t(`proctor.socket.${this.room.socket}`)}</p>
        </div>
        <div class="actions">
          ${this.room.alerts ? html`<span class="alerts" role="status">${t('proctor.alerts', { n: this.room.alerts })}</span>` : nothing}
          <label for="per-page" class="note">${t('proctor.perPage')}</label>
          <select id="per-page" @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; this.perPage = v === 'auto' ? 'auto' : Number(v) as 4 | 9 | 16; this.page = 0; }}>
            ${(['auto', 4, 9, 16] as const).map((v) => html`<option value=${v} ?selected=${this.perPage === v}>${v === 'auto' ? t('proctor.auto', { n: size }) : v}</option>`)}
          </select>
          <button type="button" class="secondary" @click=${() => this.dispatchEvent(new Event('logout', { bubbles: true, composed: true }))}>${t('proctor.logout')}</button>
        </div>
      </section>
      ${this.action.error ? html`<div class="error" role="alert">${this.action.error}</div>` : nothing}
      <div class="grid" data-per-page=${size} @pointermove=${this.hold} @pointerdown=${this.hold} @keydown=${this.hold} @focusin=${this.hold} @open-candidate=${(e: CustomEvent<{ id: string }>) => void this.open(e.detail.id)}>
        ${tiles.map((c) => html`<proctor-tile .tile=${c} .times=${r.exam.times} .now=${this.tileNow} .second=${second} .live=${this.liveOf(c.id)}></proctor-tile>`)}
      </div>
      ${pages > 1 ? html`<nav class="pages" aria-label=${t('proctor.pagesLabel')}>
        <button type="button" class="secondary" ?disabled=${page === 0} @click=${() => { this.page = page - 1; }}>${t('proctor.prev')}</button>
        <span>${t('proctor.pageOf', { n: page + 1, total: pages })}</span>
        <button type="button" class="secondary" ?disabled=${page >= pages - 1} @click=${() => { this.page = page + 1; }}>${t('proctor.next')}</button></nav>` : nothing}
      ${this.room.detail ? html`<proctor-detail .detail=${this.room.detail} .times=${r.exam.times} .now=${now} .live=${this.room.receiver(this.room.detail.tile.id)} .phoneLive=${this.room.receiver(this.room.detail.tile.id, 'phone')}
          ?busy=${this.action.busy} .error=${this.action.error}
          @close=${() => this.room.close()} @act=${(e: CustomEvent<DetailAction>) => void this.act(e.detail)}
          @want-screen=${(e: CustomEvent<{ on: boolean }>) => this.wantScreen(e.detail.on)}
          @want-phone=${(e: CustomEvent<{ on: boolean }>) => this.wantPhone(e.detail.on)}></proctor-detail>` : nothing}`;
  }

  /**
   * What a tile shows of its live link — the same object while nothing in it changed, so a room
   * update (a receiver's news, the clock) re-renders only the tiles it concerns.
   */
  private liveOf(id: string): TileLive | null {
    const rx = this.room.receiver(id);
    const was = this.lives.get(id) ?? null;
    const live = rx ? { picture: rx.picture, thumbnail: rx.thumbnail, rung: rx.shown, connected: rx.connected } : null;
    if (live && was && live.picture === was.picture && live.thumbnail === was.thumbnail && live.rung === was.rung && live.connected === was.connected) return was;
    if (live) this.lives.set(id, live);
    else this.lives.delete(id);
    return live;
  }

  private async open(id: string): Promise<void> {
    await this.run(() => this.room.open(id));
    await this.updateComplete;
    await this.renderRoot.querySelector('proctor-detail')?.reveal();
  }

  private wantScreen(on: boolean): void {
    const id = this.room.detail?.tile.id;
    if (!id) return;
    this.room.wantScreen(id, on);
    this.requestUpdate();
  }

  private wantPhone(on: boolean): void {
    const id = this.room.detail?.tile.id;
    if (!id) return;
    this.room.wantPhone(id, on);
    this.requestUpdate();
  }

  private async act(a: DetailAction): Promise<void> {
    const id = this.room.detail?.tile.id;
    if (!id) return;
    await this.run(() => (a.kind === 'chat' ? this.room.sendChat(id, a.text) : this.room.act(id, a.kind, a.body)));
  }

  private run(fn: () => Promise<void>): Promise<unknown> {
    return this.action.run(fn);
  }

}

declare global {
  interface HTMLElementTagNameMap { 'proctor-room': ProctorRoom }
}
