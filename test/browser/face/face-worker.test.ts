import { expect } from '@open-wc/testing';
import { cameraVideo } from '../helpers/camera-video.js';
import { detectFaces, endFaceWorker, faceReady, faceWorkerRunning, setFaceWorkerUrl } from '../../../src/media/face-worker-client.js';

describe('face.worker (built) with BlazeFace on WASM', function () {
  this.timeout(60_000);
  before(() => setFaceWorkerUrl('/dist/app/workers/face.worker.js'));
  after(() => endFaceWorker());

  it('loads the model from our own origin on the WASM backend and finds the one face in the camera', async () => {
    expect(await faceReady()).to.equal('wasm');
    const { video, stop } = await cameraVideo();
    try {
      const r = await detectFaces(video);
      expect(r.faces).to.have.length(1);
      const [face] = r.faces;
      expect(face!.score).to.be.greaterThan(0.8);
      const [x1, y1, x2, y2] = face!.box;
      // The astronaut's face: upper middle of the frame (the photo fills x 80–560).
      expect((x1 + x2) / 2).to.be.within(240, 400);
      expect((y1 + y2) / 2).to.be.within(60, 240);
      expect(x2 - x1).to.be.greaterThan(60);
      expect(y2 - y1).to.be.greaterThan(50);
      expect(face!.landmarks).to.have.length(6);
      expect(r.width).to.equal(640);
      expect(face!.light.mean).to.be.greaterThan(60);
    } finally {
      stop();
    }
  });

  it('finds no face on a grey frame, and reads it as flat light', async () => {
    const canvas = new OffscreenCanvas(640, 480);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, 640, 480);
    const r = await detectFaces(canvas);
    expect(r.faces).to.have.length(0);
    expect(r.light.std).to.be.lessThan(2);
    expect(faceWorkerRunning()).to.equal(true);
  });
});
