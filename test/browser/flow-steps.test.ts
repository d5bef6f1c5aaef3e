import { expect, fixture, html, nextFrame, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/candidate/step-document.js';
import '../../src/candidate/step-enter.js';
import '../../src/candidate/step-exam.js';
import '../../src/candidate/step-lottery.js';
import '../../src/candidate/step-evidence.js';
import '../../src/candidate/help-chat.js';
import type { StepDocument } from '../../src/candidate/step-document.js';
import type { StepEnter } from '../../src/candidate/step-enter.js';
import type { StepExam } from '../../src/candidate/step-exam.js';
import type { StepLottery } from '../../src/candidate/step-lottery.js';
import type { StepEvidence } from '../../src/candidate/step-evidence.js';
import type { HelpChat } from '../../src/candidate/help-chat.js';
import { setLocale } from '../../src/i18n/i18n.js';
import { MIN, START, meFixture } from '../helpers/me-fixture.js';

const button = (el: HTMLElement, text: string) =>
  [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent?.trim() === text)!;

describe('candidate steps', () => {
  beforeEach(() => setLocale('zh-CN'));

  it('a document must be scrolled to its end before 【我已阅读并同意】 enables', async () => {
    const long = Array.from({ length: 80 }, (_, i) => `第 ${i + 1} 条：诚信应考。`).join('\n');
    const el = await fixture<StepDocument>(html`<step-document kind="pledge" .text=${long}></step-document>`);
    const accept = button(el, '我已阅读并同意');
    // Rendered and its scroll position judged (a frame later): still not read to the end.
    await el.updateComplete;
    await nextFrame();
    expect(accept.disabled, 'not read yet').to.equal(true);
    await expect(el).shadowDom.to.be.accessible();
    const doc = el.shadowRoot!.querySelector<HTMLElement>('.doc')!;
    doc.scrollTop = doc.scrollHeight;
    await waitUntil(() => !accept.disabled, 'enabled at the end');
    setTimeout(() => accept.click());
    await oneEvent(el, 'step-done');
  });

  it('a short document that fits is read at once; the procedure goes on with 【下一步】', async () => {
    const el = await fixture<StepDocument>(html`<step-document kind="procedure" text="短流程"></step-document>`);
    await waitUntil(() => !button(el, '下一步').disabled);
  });

  it('【进入考试】 is disabled outside the entry window and while a second display is attached', async () => {
    const me = meFixture({ lottery: { number: 3, method: 'draw', assignedAt: 1 } });
    let now = START - 20 * MIN;
    const el = await fixture<StepEnter>(html`<step-enter .me=${me} .now=${() => now}></step-enter>`);
    expect(button(el, '进入考试').disabled, 'before the window').to.equal(true);
    expect(el.shadowRoot!.textContent).to.contain('距可以进入考试');
    now = START - 10 * MIN;
    el.requestUpdate();
    await el.updateComplete;
    expect(button(el, '进入考试').disabled, 'inside the window').to.equal(false);
    await expect(el).shadowDom.to.be.accessible();
    Object.defineProperty(window.screen, 'isExtended', { value: true, configurable: true });
    try {
      setTimeout(() => button(el, '刷新').click());
      await oneEvent(el, 'refresh');
      await el.updateComplete;
      expect(button(el, '进入考试').disabled, 'second display').to.equal(true);
      expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('拔掉多余的显示器');
    } finally {
      delete (window.screen as { isExtended?: boolean }).isExtended;
    }
  });

  it('the exam: countdown before the start, reading then answering by server time, end only after 【确认】', async () => {
    let now = START - 2 * MIN;
    const questions = { questions: [{ id: 'q1', text: { 'zh-CN': '请谈谈团队合作。', en: 'Teamwork.' } }] };
    const el = await fixture<StepExam>(html`<step-exam .me=${meFixture()} .now=${() => now} questionState="waiting"></step-exam>`);
    expect(el.shadowRoot!.querySelector('h1')!.textContent).to.equal('等待开考');
    expect(el.shadowRoot!.textContent).to.not.contain('请谈谈团队合作');
    await expect(el).shadowDom.to.be.accessible();
    now = START + 1000;
    el.questions = questions;
    el.questionState = 'ready';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=stage]')!.textContent).to.equal('读题备考');
    expect(el.shadowRoot!.textContent).to.contain('请谈谈团队合作');
    now = START + 10 * MIN;
    el.requestUpdate();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=stage]')!.textContent).to.equal('回答问题');
    button(el, '结束考试').click();
    await el.updateComplete;
    await expect(el).shadowDom.to.be.accessible();
    setTimeout(() => button(el, '确认').click());
    await oneEvent(el, 'end-exam');
  });

  it('a standing presence flag stays in the side panel until it clears', async () => {
    const el = await fixture<StepExam>(html`<step-exam .me=${meFixture()} .now=${() => START + 5000} .presence=${['suspicious']}></step-exam>`);
    expect(el.shadowRoot!.querySelector('[data-presence=suspicious]')!.textContent).to.contain('画面中未见本人');
    await expect(el).shadowDom.to.be.accessible();
    el.presence = [];
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-presence]')).to.equal(null);
  });

  it('the question offline at the start says it retries, and 【刷新题目】 asks again', async () => {
    const el = await fixture<StepExam>(html`<step-exam .me=${meFixture()} .now=${() => START + 5000} questionState="offline"></step-exam>`);
    expect(el.shadowRoot!.textContent).to.contain('网络未连接，正在重试获取题目');
    setTimeout(() => button(el, '刷新题目').click());
    await oneEvent(el, 'refresh-questions');
  });

  it('help chat: sends, shows messages typed offline as not sent yet', async () => {
    const pending = [{ id: 'chat-0001-aaaa', text: '离线消息', at: START }];
    const messages = [{ id: 'chat-0002-bbbb', text: '请稍等', at: START, from: 'proctor' as const, receivedAt: START }];
    const el = await fixture<HelpChat>(html`<help-chat .pending=${pending} .messages=${messages}></help-chat>`);
    expect(el.shadowRoot!.querySelector('[data-pending]')!.textContent).to.contain('未发送，联网后自动发送');
    expect(el.shadowRoot!.textContent).to.contain('请稍等');
    await expect(el).shadowDom.to.be.accessible();
    el.shadowRoot!.querySelector('textarea')!.value = '  摄像头黑屏  ';
    setTimeout(() => button(el, '发送').click());
    const e: CustomEvent<{ text: string }> = await oneEvent(el, 'chat-send');
    expect(e.detail.text).to.equal('摄像头黑屏');
  });

  it('lottery: draw while open; after the deadline the candidate goes on to be assigned one', async () => {
    const el = await fixture<StepLottery>(html`<step-lottery .me=${meFixture()} .now=${() => START - 20 * MIN}></step-lottery>`);
    expect(button(el, '下一步'), 'no going on before drawing').to.equal(undefined);
    setTimeout(() => button(el, '抽签').click());
    await oneEvent(el, 'draw');
    await expect(el).shadowDom.to.be.accessible();
    el.now = () => START - 4 * MIN;
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.contain('抽签已截止');
    expect(button(el, '下一步')).to.not.equal(undefined);
  });

  it('evidence: asks for a code, shows it as a QR code and (behind 【智试通二维码】) as text with the phone address; no phone yet', async () => {
    let asked = 0;
    const el = await fixture<StepEvidence>(html`<step-evidence @new-code=${() => { asked++; }}></step-evidence>`);
    expect(asked).to.equal(1, 'a code is asked for as the step opens');
    el.code = { code: 'ABCD2345', expiresAt: Date.now() + 10 * MIN };
    await el.updateComplete;
    const qr = el.shadowRoot!.querySelector('qr-code')!;
    await (qr as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(qr.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).to.equal('佐证绑定二维码');
    expect(qr.shadowRoot!.querySelector('svg path')!.getAttribute('d')!.length).to.be.greaterThan(100);
    expect(el.shadowRoot!.querySelector('[data-testid=binding-code]')).to.equal(null, 'the text waits for 【智试通二维码】');
    button(el, '智试通二维码').click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[data-testid=binding-code]')!.textContent).to.equal('ABCD-2345');
    expect(el.shadowRoot!.textContent).to.contain('#/evidence');
    expect(el.shadowRoot!.textContent).to.match(/绑定码 (09:5\d|10:00) 后失效/);
    const status = el.shadowRoot!.querySelector('phone-status-line')!;
    await (status as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(status.shadowRoot!.querySelector('[data-phone=none]')).to.not.equal(null);
    button(el, '换一个绑定码').click();
    expect(asked).to.equal(2);
    await expect(el).shadowDom.to.be.accessible();
  });
});
