import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/candidate/face-login-gate.js';
import type { FaceLoginGate } from '../../src/candidate/face-login-gate.js';
import { endFaceWorker, setFaceWorkerUrl } from '../../src/media/face-worker-client.js';
import { setLocale } from '../../src/i18n/i18n.js';

describe('face-login-gate without a face (the default fake camera: a moving test card)', function () {
  this.timeout(30_000);
  before(() => {
    setLocale('zh-CN');
    setFaceWorkerUrl('/dist/app/workers/face.worker.js');
  });
  after(() => endFaceWorker());

  it('refuses with live guidance and keeps checking', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    let accepted = false;
    try {
      const el = await fixture<FaceLoginGate>(html`<face-login-gate .stream=${stream} @face-accepted=${() => { accepted = true; }}></face-login-gate>`);
      const status = () => el.shadowRoot!.querySelector('[role=status]')!;
      await waitUntil(() => status().textContent?.includes('未检测到人脸'), 'no-face guidance', { timeout: 20_000 });
      // Three more frames judged and refused: the proof that nothing is accepted without a face.
      const seen = el.checked;
      await waitUntil(() => el.checked >= seen + 3, 'three more frames judged', { timeout: 10_000 });
      expect(accepted).to.equal(false);
      expect(el.state).to.equal('checking');
      await expect(el).shadowDom.to.be.accessible();
    } finally {
      stream.getTracks().forEach((t) => t.stop());
    }
  });

  it('a device that cannot run the detector says so (the non-face path stays open)', async () => {
    setFaceWorkerUrl('/no-such-worker.js');
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    try {
      const el = await fixture<FaceLoginGate>(html`<face-login-gate .stream=${stream}></face-login-gate>`);
      await waitUntil(() => el.state === 'unavailable', 'unavailable', { timeout: 20_000 });
      expect(el.shadowRoot!.textContent).to.contain('人工核验');
    } finally {
      stream.getTracks().forEach((t) => t.stop());
      setFaceWorkerUrl('/dist/app/workers/face.worker.js');
    }
  });
});
