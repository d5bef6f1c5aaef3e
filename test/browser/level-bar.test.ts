import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/ui/level-bar.js';
import type { LevelBar } from '../../src/ui/level-bar.js';

describe('level-bar', () => {
  it('shows the fake microphone\'s level moving, and its peak', async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    try {
      const el = await fixture<LevelBar>(html`<level-bar .stream=${stream} label="麦克风"></level-bar>`);
      const meter = el.shadowRoot!.querySelector('meter')!;
      await waitUntil(() => meter.value > 0, 'the level moves', { timeout: 5_000 });
      // The fake microphone beeps about once a second: loud enough for the device check.
      await waitUntil(() => el.peak > 0.02, `a beep heard (peak ${el.peak})`, { timeout: 5_000 });
      await expect(el).shadowDom.to.be.accessible();
    } finally {
      stream.getTracks().forEach((t) => t.stop());
    }
  });
});
