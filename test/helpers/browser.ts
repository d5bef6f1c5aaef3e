import { chromium, type Browser, type BrowserContext } from 'playwright-core';
// @ts-expect-error plain ESM helper shared with the web-test-runner config
import { CHROMIUM_ARGS, FAKE_MEDIA_ARGS, findChromium } from '../../scripts/find-chromium.mjs';

/**
 * Headless Chromium with the fake camera/mic and no calls to the outside network. The app runs
 * under its real Content-Security-Policy: anything the policy blocks is logged by Chromium, and
 * closing the browser then fails the test — nothing the app does may be silently blocked.
 */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: (findChromium)(),
    headless: true,
    args: [...(CHROMIUM_ARGS), ...(FAKE_MEDIA_ARGS), ...WEBRTC_ARGS, ...extraArgs],
  });
  const violations: string[] = [];
  const watch = (context: BrowserContext) => {
    context.on('console', (msg) => {
      if (/Content Security Policy|Refused to (load|execute|apply|compile|connect|create|frame)/.test(msg.text())) violations.push(msg.text());
    });
    return context;
  };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => watch(await newContext(...args));
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    watch(page.context());
    return page;
  };
  const close = browser.close.bind(browser);
  browser.close = async (...args) => {
    await close(...args);
    if (violations.length > 0) throw new Error(`the Content-Security-Policy blocked:\n${violations.join('\n')}`);
  };
  return browser;
}

/**
 * Peer links between pages of one headless Chromium on one machine: host candidates as plain
 * addresses (not mDNS names, which nothing resolves here), and loopback allowed (TURN on 127.0.0.1).
 */
export const WEBRTC_ARGS = ['--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection'];

/** The camera shows a real face (the astronaut fixture, looped) instead of the test card. */
export const FACE_CAMERA_ARG = `--use-file-for-fake-video-capture=${new URL('../fixtures/face-640x480.y4m', import.meta.url).pathname}`;
