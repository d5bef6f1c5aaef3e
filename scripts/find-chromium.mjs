// Finds a Chromium/Chrome for the browser and e2e tests: CHROME_PATH, then the usual places.
// On Debian as root with none installed, installs Debian's `chromium`; otherwise says how to.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Flags every headless launch here uses: no sandbox as root, no calls to the outside network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
  '--disable-domain-reliability',
];
/** Several test pages run at once: keep the ones in background tabs from being throttled. */
export const NO_THROTTLE_ARGS = [
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
];
export const FAKE_MEDIA_ARGS = [
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=2', '--autoplay-policy=no-user-gesture-required',
  '--auto-select-desktop-capture-source=Entire screen',
];

export function findChromium({ install = true } = {}) {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const canApt = process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (install && canApt) {
    console.log('No Chromium found: installing Debian\'s chromium (apt-get)…');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit' });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  const err = new Error('No Chromium or Chrome found for the browser tests. Install one with:\n  sudo apt-get install -y chromium\nor set CHROME_PATH to a Chrome/Chromium binary.');
  err.code = 'NO_CHROMIUM';
  throw err;
}
