import { expect, waitUntil } from '@open-wc/testing';
import type { FlagChange } from '../../../src/core/presence.js';
import { PresenceMonitor } from '../../../src/candidate/presence-monitor.js';
import { detectFaces, endFaceWorker, setFaceWorkerUrl } from '../../../src/media/face-worker-client.js';
import { iou } from '../../../src/core/face-anchors.js';
import { drawRoom, drawScene, loadScenePhotos, seeded, type ScenePhotos } from '../helpers/scenes.js';

/**
 * Someone further back (issue 14): a face a fifteenth of the frame's width, which the short-range
 * detector never finds, is found by the wide check and raises "several faces"; empty rooms and
 * the cat raise nothing. Scenes composed from public-domain photos (test/browser/helpers/scenes.ts).
 */
describe('others in view: the wide check for small faces (built face worker)', function () {
  this.timeout(90_000);
  let photos: ScenePhotos;
  before(async () => {
    setFaceWorkerUrl('/dist/app/workers/face.worker.js');
    photos = await loadScenePhotos();
  });
  after(() => endFaceWorker());

  const canvas = () => {
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 480;
    return { c, ctx: c.getContext('2d')! };
  };

  it('finds a face 0.065 of the frame wide behind the candidate, where the short-range detector finds only the candidate', async () => {
    const { c, ctx } = canvas();
    for (let k = 0; k < 4; k++) {
      const scene = drawScene(ctx, 640, 480, photos, 0.065, seeded(100 + k));
      const r = await detectFaces(c, { wide: true });
      const near = r.faces.filter((f) => f.score >= 0.75);
      expect(near.map((f) => iou(f.box, scene.candidate) > 0.3), `short range, scene ${k}`).to.deep.equal([true]);
      const wide = r.wide?.faces ?? [];
      expect(wide.some((f) => scene.other && iou(f.box, scene.other) > 0.25), `the face at the back, scene ${k}: ${JSON.stringify(wide)} vs ${JSON.stringify(scene.other)}`).to.equal(true);
      expect(wide.length, `nothing else: ${JSON.stringify(wide)}`).to.be.at.most(2);
      expect(r.wide?.ms).to.be.greaterThan(0);
    }
  });

  it('finds no face in empty rooms or on the cat', async () => {
    const { c, ctx } = canvas();
    for (let k = 0; k < 6; k++) {
      drawRoom(ctx, 640, 480, seeded(200 + k));
      const r = await detectFaces(c, { wide: true });
      expect([r.faces.length, r.wide?.faces.length], `room ${k}`).to.deep.equal([0, 0]);
    }
    const cat = await createImageBitmap(await (await fetch('/test/fixtures/chelsea.png')).blob());
    ctx.drawImage(cat, 0, 0, 640, 480);
    const r = await detectFaces(c, { wide: true });
    expect(r.wide?.faces, 'the cat').to.deep.equal([]);
  });

  it('the presence monitor raises "several faces" for someone at the back, within 3–13 s, and nothing for the candidate alone', async () => {
    const { c, ctx } = canvas();
    let withOther = false;
    const paint = setInterval(() => drawScene(ctx, 640, 480, photos, withOther ? 0.07 : null, seeded(7)), 100);
    const changes: (FlagChange & { seen: number })[] = [];
    const monitor = new PresenceMonitor({ now: () => Date.now(), fps: 2, onChange: (ch) => changes.push({ ...ch, seen: Date.now() }), onSummary: () => undefined });
    try {
      monitor.watch(c.captureStream(10));
      await waitUntil(() => monitor.monitoredMs >= 6_000, 'six seconds analysed, the candidate alone', { timeout: 30_000 });
      expect(changes.map((ch) => ch.flag), 'the candidate alone raises nothing').to.deep.equal([]);
      withOther = true;
      const came = Date.now();
      await waitUntil(() => changes.some((ch) => ch.flag === 'several-faces' && ch.state === 'raised'), 'several-faces raised', { timeout: 30_000 });
      const raised = changes.find((ch) => ch.flag === 'several-faces')!;
      expect(raised.seen - came).to.be.within(2_500, 13_000);
      expect(raised.kind).to.equal('suspicious');
    } finally {
      monitor.stop();
      clearInterval(paint);
    }
  });
});
