import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/candidate/candidate-login.js';
import type { CandidateLogin, LoginSubmit } from '../../src/candidate/candidate-login.js';
import { setLocale } from '../../src/i18n/i18n.js';

describe('candidate-login', () => {
  beforeEach(() => setLocale('zh-CN'));

  it('submits the trimmed id and ticket code with a JPEG frame from the camera', async () => {
    const el = await fixture<CandidateLogin>(html`<candidate-login examTitle="测试考试"></candidate-login>`);
    const root = el.shadowRoot!;
    const video = () => root.querySelector('camera-preview')?.shadowRoot?.querySelector('video');
    await waitUntil(() => (video()?.videoWidth ?? 0) > 0, 'the camera preview shows', { timeout: 5_000 });
    root.querySelector<HTMLInputElement>('#candidate-id')!.value = ' 2026000001 ';
    root.querySelector<HTMLInputElement>('#ticket-code')!.value = 'A1B2C3';
    setTimeout(() => root.querySelector<HTMLButtonElement>('button[type=submit]')!.click());
    const e: CustomEvent<LoginSubmit> = await oneEvent(el, 'login-submit');
    const { capture, ...typed } = e.detail;
    expect(typed).to.deep.equal({ candidateId: '2026000001', ticketCode: 'A1B2C3', takeOver: false });
    expect(capture?.type).to.equal('image/jpeg');
    const head = new Uint8Array(await capture!.slice(0, 2).arrayBuffer());
    expect([...head]).to.deep.equal([0xff, 0xd8]);
    expect(root.textContent).to.contain('测试考试');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows the error with the help line, and never a fake face pass', async () => {
    const el = await fixture<CandidateLogin>(html`<candidate-login error="考生号或验证码不正确" helpLine="400-808-3202"></candidate-login>`);
    const alert = el.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent).to.contain('考生号或验证码不正确');
    expect(alert.textContent).to.contain('400-808-3202');
    expect(el.shadowRoot!.textContent).to.contain('人脸核验暂不可用');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('asks before taking over another device\'s login, and sends takeOver only on confirm', async () => {
    const el = await fixture<CandidateLogin>(html`<candidate-login askTakeOver error="该考生已在另一台设备登录。"></candidate-login>`);
    const dialog = el.shadowRoot!.querySelector('[role=alertdialog]')!;
    expect(dialog).to.not.equal(null);
    await expect(el).shadowDom.to.be.accessible();
    const [confirm, cancel] = dialog.querySelectorAll('button');
    setTimeout(() => confirm!.click());
    const e: CustomEvent<LoginSubmit> = await oneEvent(el, 'login-submit');
    expect(e.detail.takeOver).to.equal(true);
    cancel!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role=alertdialog]')).to.equal(null);
  });
});
