import { chromium, type Browser } from 'playwright-core';
// @ts-expect-error plain ESM helper shared with the web-test-runner config
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, findChromium } from '../../scripts/find-chromium.mjs';

/** Headless Chromium with the fake camera/mic and no calls to the outside network. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: (findChromium)(),
    headless: true,
    args: [...(CHROMIUM_ARGS), ...(FAKE_MEDIA_ARGS), ...extraArgs],
  });
}

/** The camera shows a real face (the astronaut fixture, looped) instead of the test card. */
export const FACE_CAMERA_ARG = `--use-file-for-fake-video-capture=${new URL('../fixtures/face-640x480.y4m', import.meta.url).pathname}`;
