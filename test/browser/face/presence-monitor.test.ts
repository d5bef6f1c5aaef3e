import { expect, waitUntil } from '@open-wc/testing';
import type { FlagChange } from '../../../src/core/presence.js';
import { PresenceMonitor } from '../../../src/candidate/presence-monitor.js';
import { endFaceWorker, setFaceWorkerUrl } from '../../../src/media/face-worker-client.js';
import { cameraVideo } from '../helpers/camera-video.js';


describe('presence monitoring at 2 fps, the camera showing a face, then nobody, then darkness', function () {
  this.timeout(60_000);
  before(() => setFaceWorkerUrl('/dist/app/workers/face.worker.js'));
  after(() => endFaceWorker());

  it('raises "no face" within the debounce window when the face leaves, clears it when it returns; dark is "can\'t see"', async () => {
    const { video, stop } = await cameraVideo();
    // What the monitor sees: the face camera, a grey empty room, or a covered lens.
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext('2d')!;
    let scene: 'face' | 'away' | 'dark' = 'face';
    const paint = setInterval(() => {
      if (scene === 'face') ctx.drawImage(video, 0, 0, 640, 480);
      else if (scene === 'away') {
        // An empty room: a wall, a door, a desk — light and texture, no face.
        ctx.fillStyle = '#b9b2a3';
        ctx.fillRect(0, 0, 640, 480);
        ctx.fillStyle = '#6b4f35';
        ctx.fillRect(420, 60, 140, 300);
        ctx.fillStyle = '#3d3d3d';
        ctx.fillRect(0, 360, 640, 120);
      } else {
        ctx.fillStyle = '#050505';
        ctx.fillRect(0, 0, 640, 480);
      }
    }, 50);
    const changes: (FlagChange & { seen: number })[] = [];
    const monitor = new PresenceMonitor({ now: () => Date.now(), fps: 2, onChange: (c) => changes.push({ ...c, seen: Date.now() }), onSummary: () => undefined });
    try {
      monitor.watch(canvas.captureStream(10));
      // Four seconds of frames analysed with the face in view (longer than a flag takes to rise).
      await waitUntil(() => monitor.monitoredMs >= 4_000, 'four seconds analysed', { timeout: 15_000 });
      expect(changes, 'a face in view raises nothing').to.deep.equal([]);
      scene = 'away';
      const left = Date.now();
      await waitUntil(() => changes.some((c) => c.flag === 'no-face' && c.state === 'raised'), 'no-face raised', { timeout: 10_000 });
      const raised = changes.find((c) => c.flag === 'no-face' && c.state === 'raised');
      expect(raised, JSON.stringify(changes)).to.not.equal(undefined);
      expect(raised!.kind).to.equal('suspicious');
      expect(raised!.seen - left).to.be.within(2_500, 4_600);
      scene = 'face';
      await waitUntil(() => changes.some((c) => c.flag === 'no-face' && c.state === 'cleared'), 'cleared when the face is back', { timeout: 10_000 });
      const before = changes.length;
      scene = 'dark';
      await waitUntil(() => changes.slice(before).some((c) => c.state === 'raised'), 'a flag for the dark camera', { timeout: 10_000 });
      // Two seconds more analysed: no other flag follows.
      const at = monitor.monitoredMs;
      await waitUntil(() => monitor.monitoredMs >= at + 2_000, 'two more seconds analysed', { timeout: 10_000 });
      const dark = changes.slice(before).filter((c) => c.state === 'raised');
      expect(dark.map((c) => `${c.flag}/${c.kind}`)).to.deep.equal(['camera-dark/cant-see']);
      expect(monitor.visiblePct).to.be.within(30, 70);
    } finally {
      monitor.stop();
      clearInterval(paint);
      stop();
    }
  });
});
