import { expect } from '@open-wc/testing';
import { faceGate } from '../../../src/core/face-gate.js';
import { detectFaces, endFaceWorker, setFaceWorkerUrl } from '../../../src/media/face-worker-client.js';
import { cameraVideo } from '../helpers/camera-video.js';
import { drawScene, loadScenePhotos, seeded } from '../helpers/scenes.js';

/**
 * The gate's rules on real detections: scenes composed on a canvas from the face camera (the
 * astronaut fixture) — two faces, a face too small, off-centre, darkened, covered — each refused
 * with the guidance that fits.
 */
describe('face gate on composed camera scenes', function () {
  this.timeout(60_000);
  let camera: Awaited<ReturnType<typeof cameraVideo>>;
  let video: HTMLVideoElement;
  before(async () => {
    setFaceWorkerUrl('/dist/app/workers/face.worker.js');
    camera = await cameraVideo();
    video = camera.video;
  });
  after(() => {
    camera.stop();
    endFaceWorker();
  });

  async function verdictOf(draw: (ctx: CanvasRenderingContext2D) => void): Promise<string> {
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#9a958c';
    ctx.fillRect(0, 0, 640, 480);
    draw(ctx);
    const v = faceGate(await detectFaces(canvas, { wide: true }));
    return v.accepted ? 'accepted' : v.guidance;
  }

  it('the camera as it is: accepted', async () => {
    expect(await verdictOf((ctx) => ctx.drawImage(video, 0, 0))).to.equal('accepted');
  });

  it('two faces side by side: only you in view', async () => {
    // The face region of the fixture, twice.
    expect(await verdictOf((ctx) => {
      ctx.drawImage(video, 200, 20, 240, 240, 20, 120, 240, 240);
      ctx.drawImage(video, 200, 20, 240, 240, 380, 120, 240, 240);
    })).to.equal('several');
  });

  it('someone further back, a fifteenth of the picture wide: only you in view; the same room without them: accepted', async () => {
    const photos = await loadScenePhotos();
    expect(await verdictOf((ctx) => drawScene(ctx, 640, 480, photos, null, seeded(3)))).to.equal('accepted');
    expect(await verdictOf((ctx) => drawScene(ctx, 640, 480, photos, 0.065, seeded(3)))).to.equal('several');
  });

  it('a face too small: move closer', async () => {
    // The whole picture at 80 %: the face is still found (≈ 0.14 of the width) but too small.
    expect(await verdictOf((ctx) => ctx.drawImage(video, 64, 48, 512, 384))).to.equal('closer');
  });

  it('a face at the edge of the picture: move to the middle', async () => {
    expect(await verdictOf((ctx) => ctx.drawImage(video, 200, 20, 240, 240, 0, 200, 240, 240))).to.equal('centre');
  });

  it('a dark face, and a room too dark to find any face: more light (not "no face, no mask")', async () => {
    // At 60 % dark the face is still found (its light is too low); at 90 % none is.
    for (const dark of [0.6, 0.9]) {
      expect(await verdictOf((ctx) => {
        ctx.drawImage(video, 0, 0);
        ctx.fillStyle = `rgba(0, 0, 0, ${dark})`;
        ctx.fillRect(0, 0, 640, 480);
      }), `${dark * 100} % dark`).to.equal('light');
    }
  });

  // Her face box is about x 243–349, y 77–157 in the camera frame; eyes at y ≈ 100, mouth ≈ 137.
  it('a mask over nose and mouth: refused — the model finds no face, and that guidance says to uncover it', async () => {
    for (const colour of ['#e8eef2', '#8fb8d8']) {
      expect(await verdictOf((ctx) => {
        ctx.drawImage(video, 0, 0);
        ctx.fillStyle = colour;
        ctx.beginPath();
        ctx.ellipse(298, 140, 50, 28, 0, 0, Math.PI * 2);
        ctx.fill();
      })).to.equal('no-face');
    }
  });

  it('the eyes covered: uncover your face', async () => {
    expect(await verdictOf((ctx) => {
      ctx.drawImage(video, 0, 0);
      ctx.fillStyle = '#222';
      ctx.fillRect(262, 90, 72, 24);
    })).to.equal('uncover');
  });

  it('a cat fills the picture: no face', async () => {
    const cat = await createImageBitmap(await (await fetch('/test/fixtures/chelsea.png')).blob());
    // 451×300 scaled to the frame's width, centred.
    const height = Math.round((640 * cat.height) / cat.width);
    expect(await verdictOf((ctx) => ctx.drawImage(cat, 0, (480 - height) / 2, 640, height))).to.equal('no-face');
  });
});
