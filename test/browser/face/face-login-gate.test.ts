import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/candidate/face-login-gate.js';
import type { FaceLoginGate } from '../../../src/candidate/face-login-gate.js';
import { endFaceWorker, setFaceWorkerUrl } from '../../../src/media/face-worker-client.js';
import { setLocale } from '../../../src/i18n/i18n.js';

describe('face-login-gate with a face in the camera', function () {
  this.timeout(30_000);
  before(() => {
    setLocale('zh-CN');
    setFaceWorkerUrl('/dist/app/workers/face.worker.js');
  });
  after(() => endFaceWorker());

  it('accepts the one clear frontal face and hands over that frame as a JPEG', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    try {
      const el = await fixture<FaceLoginGate>(html`<face-login-gate .stream=${stream}></face-login-gate>`);
      const e: CustomEvent<{ capture: Blob }> = await oneEvent(el, 'face-accepted');
      expect(e.detail.capture.type).to.equal('image/jpeg');
      expect(e.detail.capture.size).to.be.greaterThan(2000);
      await el.updateComplete;
      expect(el.state).to.equal('accepted');
      expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain('人脸检测通过');
      await expect(el).shadowDom.to.be.accessible();
    } finally {
      stream.getTracks().forEach((t) => t.stop());
    }
  });
});
