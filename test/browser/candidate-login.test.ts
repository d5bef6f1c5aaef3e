import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/candidate/candidate-login.js';
import type { CandidateLogin, LoginSubmit } from '../../src/candidate/candidate-login.js';
import { setLocale } from '../../src/i18n/i18n.js';
import { endFaceWorker, setFaceWorkerUrl } from '../../src/media/face-worker-client.js';

describe('candidate-login', () => {
  beforeEach(() => setLocale('zh-CN'));
  before(() => setFaceWorkerUrl('/dist/app/workers/face.worker.js'));
  after(() => endFaceWorker());

  it('no face in view: login waits; the non-face path submits the trimmed id and code with a JPEG frame', async () => {
    const el = await fixture<CandidateLogin>(html`<candidate-login examTitle="测试考试"></candidate-login>`);
    const root = el.shadowRoot!;
    const gate = root.querySelector('face-login-gate')!;
    const video = () => gate.shadowRoot?.querySelector('camera-preview')?.shadowRoot?.querySelector('video');
    await waitUntil(() => (video()?.videoWidth ?? 0) > 0, 'the camera preview shows', { timeout: 5_000 });
    expect(root.querySelector<HTMLButtonElement>('button[type=submit]')!.disabled, 'no face, no choice yet').to.equal(true);
    const manual = root.querySelector<HTMLInputElement>('#manual-check')!;
    manual.click();
    await el.updateComplete;
    expect(root.textContent).to.contain('监督员将在考前通过视频核验');
    root.querySelector<HTMLInputElement>('#candidate-id')!.value = ' 2026000001 ';
    root.querySelector<HTMLInputElement>('#ticket-code')!.value = 'A1B2C3';
    setTimeout(() => root.querySelector<HTMLButtonElement>('button[type=submit]')!.click());
    const e: CustomEvent<LoginSubmit> = await oneEvent(el, 'login-submit');
    const { capture, ...typed } = e.detail;
    expect(typed).to.deep.equal({ candidateId: '2026000001', ticketCode: 'A1B2C3', takeOver: false, faceCheck: 'manual' });
    expect(capture?.type).to.equal('image/jpeg');
    const head = new Uint8Array(await capture!.slice(0, 2).arrayBuffer());
    expect([...head]).to.deep.equal([0xff, 0xd8]);
    expect(root.textContent).to.contain('测试考试');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows the error with the help line, and the face rules', async () => {
    const el = await fixture<CandidateLogin>(html`<candidate-login error="考生号或验证码不正确" helpLine="400-808-3202"></candidate-login>`);
    const alert = el.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent).to.contain('考生号或验证码不正确');
    expect(alert.textContent).to.contain('400-808-3202');
    expect(el.shadowRoot!.textContent).to.contain('不得遮挡面部、耳部');
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
