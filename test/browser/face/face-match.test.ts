import { expect } from '@open-wc/testing';
import { cameraVideo } from '../helpers/camera-video.js';
import { similarity } from '../../../src/core/face-match.js';
import { describeImage, endFaceWorker, setFaceWorkerUrl } from '../../../src/media/face-worker-client.js';
import { jpegFrame } from '../../../src/media/jpeg-frame.js';
import { matchFaces } from '../../../src/media/match-faces.js';

const fixture = async (name: string) => (await fetch(`/examples/photos/${name}`)).blob();

/** One frame of this browser's fake camera (the astronaut, 640×480), as the login keeps it: JPEG. */
async function cameraCapture(): Promise<Blob> {
  const { video, stop } = await cameraVideo();
  try {
    const jpeg = await jpegFrame(video, 640);
    if (!jpeg) throw new Error('no frame');
    return jpeg;
  } finally {
    stop();
  }
}

/**
 * Two people in one photo: the astronaut's head (a 220 px square around it) twice, side by side.
 * (Whole photos side by side make faces too small for the short-range detector.)
 */
async function twoFaces(): Promise<Blob> {
  const bitmap = await createImageBitmap(await fixture('astronaut.png'));
  const canvas = new OffscreenCanvas(440, 220);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 123, 25, 220, 220, 0, 0, 220, 220);
  ctx.drawImage(bitmap, 123, 25, 220, 220, 220, 0, 220, 220);
  return canvas.convertToBlob({ type: 'image/png' });
}

describe('face match in the face worker (faceres descriptors, built worker, our origin)', function () {
  this.timeout(120_000);
  before(() => setFaceWorkerUrl('/dist/app/workers/face.worker.js'));
  after(() => endFaceWorker());

  it('the camera capture of the astronaut matches her reference photo; the cameraman does not', async () => {
    const capture = await cameraCapture();
    const same = await matchFaces(capture, await fixture('astronaut.png'), 0.6);
    const other = await matchFaces(capture, await fixture('cameraman.png'), 0.6);
    console.log(`face match: same person ${same.similarity}, other person ${other.similarity}; ${Math.round(same.ms)} ms then ${Math.round(other.ms)} ms`);
    expect(same.path).to.equal('matched');
    expect(same.similarity).to.be.greaterThan(0.8);
    expect(other.path).to.equal('not-matched');
    expect(other.similarity).to.be.lessThan(0.4);
    expect(same.descriptors?.capture).to.have.length(1024);
  });

  it('describes one face per photo, none in a grey image, two in a photo of two people', async () => {
    const astronaut = await describeImage(await fixture('astronaut.png'));
    expect(astronaut.faces).to.equal(1);
    const canvas = new OffscreenCanvas(320, 240);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#808080';
    ctx.fillRect(0, 0, 320, 240);
    const grey = await describeImage(await canvas.convertToBlob());
    expect(grey).to.include({ faces: 0, descriptor: null });
    const pair = await describeImage(await twoFaces());
    expect(pair.faces).to.equal(2);
    // The same face again gives the same descriptor (nothing random in the pipeline).
    const again = await describeImage(await fixture('astronaut.png'));
    expect(similarity(astronaut.descriptor!, again.descriptor!)).to.be.greaterThan(0.999);
  });

  it('a reference photo without a single face cannot be compared (no-reference), a grey capture is unavailable', async () => {
    const capture = await cameraCapture();
    const pairRef = await matchFaces(capture, await twoFaces(), 0.6);
    expect(pairRef).to.include({ path: 'no-reference', similarity: null });
    const canvas = new OffscreenCanvas(320, 240);
    canvas.getContext('2d')!.fillRect(0, 0, 320, 240);
    const dark = await matchFaces(await canvas.convertToBlob(), await fixture('astronaut.png'), 0.6);
    expect(dark).to.include({ path: 'unavailable', similarity: null });
  });
});
