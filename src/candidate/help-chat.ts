import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { ChatMessage, ChatOut } from '../core/event-schema.js';
import { MAX_CHAT_TEXT } from '../core/event-schema.js';
import { LocaleController, locale, t } from '../i18n/i18n.js';
import { baseStyles } from '../ui/ui-styles.js';

/**
 * 【求助】 text chat with the proctor. Store-and-forward: a message typed offline is kept on the
 * device and marked "not sent yet" until the server has it.
 * @fires chat-send - detail: { text }
 * @fires close
 */
@customElement('help-chat')
export class HelpChat extends LitElement {
  static override styles = [baseStyles, css`
    ol { list-style: none; padding: 0; margin: 0; max-height: 16rem; overflow: auto; }
    li { margin: 0.4rem 0; padding: 0.4rem 0.6rem; border-radius: 6px; background: #f6f8fa; overflow-wrap: anywhere; }
    li.candidate { background: #ddf4ff; margin-left: 2rem; }
    li.proctor { margin-right: 2rem; }
    li.warning { background: #ffebe9; border-left: 4px solid #cf222e; }
    textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #8c959f; border-radius: 6px; min-height: 4rem; }
    textarea:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
  `];
  private readonly i18n = new LocaleController(this);

  @property({ attribute: false }) messages: ChatMessage[] = [];
  @property({ attribute: false }) pending: ChatOut[] = [];
  @query('textarea') private input!: HTMLTextAreaElement;

  private send(e: Event): void {
    e.preventDefault();
    const text = this.input.value.trim();
    if (!text) return;
    this.dispatchEvent(new CustomEvent('chat-send', { detail: { text }, bubbles: true, composed: true }));
    this.input.value = '';
  }

  override render() {
    const time = (ms: number) => new Date(ms).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
    const sent = new Set(this.messages.map((m) => m.id));
    return html`
      <section class="card" aria-labelledby="chat-title">
        <h2 id="chat-title">${t('chat.title')}</h2>
        <ol aria-live="polite">
          ${this.messages.map((m) => html`<li class="${m.from} ${m.kind}"><span class="note">${m.from === 'proctor' ? t(m.kind === 'warning' ? 'chat.warning' : 'chat.proctor') : t('chat.me')} ${time(m.at)}</span><br />${m.kind === 'identity' ? t('chat.identityConfirmed') : m.text}</li>`)}
          ${this.pending.filter((m) => !sent.has(m.id)).map((m) => html`<li class="candidate" data-pending><span class="note">${t('chat.me')} ${time(m.at)} · ${t('chat.pending')}</span><br />${m.text}</li>`)}
        </ol>
        ${this.messages.length + this.pending.length === 0 ? html`<p class="note">${t('chat.empty')}</p>` : nothing}
        <form @submit=${this.send}>
          <label for="chat-text">${t('chat.label')}</label>
          <textarea id="chat-text" maxlength=${MAX_CHAT_TEXT}></textarea>
          <div class="actions"><button type="submit">${t('chat.send')}</button>
            <button type="button" class="secondary" @click=${() => this.dispatchEvent(new Event('close', { bubbles: true, composed: true }))}>${t('chat.close')}</button></div>
        </form>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'help-chat': HelpChat }
}
