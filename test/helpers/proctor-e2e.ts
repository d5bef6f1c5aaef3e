import type { Page } from 'playwright-core';

/** Logs a proctor in through the console's form and waits for the room's tiles. */
export async function proctorLogin(page: Page, url: string, examId: string, proctorId: string, password: string): Promise<void> {
  await page.goto(`${url}/#/proctor`);
  await page.getByLabel('考试编号').fill(examId);
  await page.getByLabel('监督员编号').fill(proctorId);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.locator('proctor-tile').first().waitFor();
}

/** A candidate's tile on the proctor's page (Playwright's CSS pierces the shadow roots). */
export const tile = (page: Page, id: string) => page.locator(`article[data-candidate="${id}"]`);

/**
 * Opens a candidate's detail from their tile as a proctor's hand does: the pointer comes to rest on
 * the tile (which holds the grid's order) and then clicks. A click from nowhere (Playwright moves
 * the mouse in one step) could land just as a re-sort hands that tile to another candidate.
 */
export async function openTile(page: Page, id: string): Promise<void> {
  await tile(page, id).hover();
  await tile(page, id).locator('button.open').click();
}

/**
 * Whether the tile's picture moves on the screen itself (what the compositor paints, not what the
 * element decodes): two screenshots of the middle of its video a moment apart differ (the middle
 * only: a badge appearing in a corner is not a moving picture).
 */
export async function pictureMoving(page: Page, id: string, timeoutMs = 10_000): Promise<boolean> {
  const video = tile(page, id).locator('video');
  for (const until = Date.now() + timeoutMs; Date.now() < until;) {
    const box = await video.boundingBox();
    if (!box) return false;
    const clip = { x: box.x + box.width / 4, y: box.y + box.height / 4, width: box.width / 2, height: box.height / 2 };
    const a = await page.screenshot({ clip });
    await page.waitForTimeout(400);
    const b = await page.screenshot({ clip });
    if (!a.equals(b)) return true;
  }
  return false;
}

/**
 * Whether the tile's video is live and moving: frames delivered (requestVideoFrameCallback
 * advances) whose pixels differ; `readyMs`: how long until the first frame showed. Plain JS in a string: the page lacks tsx's helpers.
 */
export function videoMoving(page: Page, id: string, selector = 'video', timeoutMs = 5_000): Promise<{ frames: number; differ: boolean; readyMs: number }> {
  return page.evaluate<{ frames: number; differ: boolean; readyMs: number }>(`(async () => {
    const t0 = performance.now();
    const find = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.matches && el.matches('article[data-candidate="${id}"] ${selector}, section[data-detail="${id}"] ${selector}')) return el;
        if (el.shadowRoot) { const f = find(el.shadowRoot); if (f) return f; }
      }
      return null;
    };
    const until = performance.now() + ${timeoutMs};
    let video = null;
    while (!(video = find(document)) || !video.videoWidth) {
      if (performance.now() > until) return { frames: 0, differ: false, readyMs: Infinity };
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyMs = performance.now() - t0;
    const grab = () => {
      const c = document.createElement('canvas');
      c.width = 64; c.height = 36;
      const g = c.getContext('2d');
      g.drawImage(video, 0, 0, 64, 36);
      return g.getImageData(0, 0, 64, 36).data;
    };
    let frames = 0;
    const first = grab();
    await new Promise((resolve) => {
      const step = () => { frames++; if (frames >= 5 || performance.now() > until + 5000) resolve(null); else video.requestVideoFrameCallback(step); };
      video.requestVideoFrameCallback(step);
      setTimeout(resolve, 5000);
    });
    const second = grab();
    let diff = 0;
    for (let i = 0; i < first.length; i += 4) diff += Math.abs(first[i] - second[i]);
    return { frames, differ: diff > 0, readyMs };
  })()`);
}
