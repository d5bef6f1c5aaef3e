import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './child-server.js';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** Every view a candidate sees must pass axe (WCAG 2.1 A/AA rules): 0 violations. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through DevTools, not a <script> tag: the app's CSP (no inline script) stays on.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE, 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
  assert.deepEqual(violations, [], `${what}: axe violations`);
}

/** Where screenshots go (not committed): look at them. */
export const SHOT_DIR = path.join(ROOT, '.tmp', 'screenshots');

/**
 * A full-page screenshot. Chromium now and then never answers a capture (the frame it waits for
 * does not come; seen once in CI, page otherwise well, not reproduced under load): the capture is
 * abandoned after 15 s and asked for again, once.
 */
export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(SHOT_DIR, { recursive: true });
  const options = { path: path.join(SHOT_DIR, `${name}.png`), fullPage: true };
  try {
    await page.screenshot({ ...options, timeout: 15_000 });
  } catch (err) {
    if ((err as Error).name !== 'TimeoutError') throw err;
    console.log(`# screenshot ${name}: no frame within 15 s, asked again`);
    await page.screenshot({ ...options, timeout: 30_000 });
  }
}

/** The step the app shows (its "第 n / 11 步" line carries the step name). */
export async function currentStep(page: Page): Promise<string | null> {
  return page.locator('[data-step]').getAttribute('data-step', { timeout: 15_000 });
}

export async function waitForStep(page: Page, step: string, timeout = 30_000): Promise<void> {
  await page.locator(`[data-step="${step}"]`).waitFor({ timeout });
}

/**
 * Presses a button and waits for the next step. A press that lands while the page is still laying
 * out (the device check's results arrive and move the button) is pressed again, as a person would.
 */
export async function pressUntilStep(page: Page, button: ReturnType<Page['getByRole']>, step: string, timeout = 30_000): Promise<void> {
  const until = Date.now() + timeout;
  await button.click();
  for (;;) {
    try {
      await waitForStep(page, step, Math.min(5_000, Math.max(1, until - Date.now())));
      return;
    } catch (err) {
      if (Date.now() >= until || !(await button.isVisible())) throw err;
      await button.click({ timeout: Math.max(1, until - Date.now()) });
    }
  }
}

/** Scrolls an exam document to its end, as a reader would. */
export async function readToEnd(page: Page): Promise<void> {
  await page.locator('.doc').evaluate((el) => { el.scrollTop = el.scrollHeight; });
}

export interface WalkOptions {
  /** Called on each step once it shows (screenshots, axe). */
  onStep?: (step: string) => Promise<void>;
  /** Stop before pressing 【进入考试】. */
  stopAtEnter?: boolean;
  /** The exam link (`#/?exam=ID`) a candidate of several exams is sent. */
  examId?: string;
  /**
   * `manual`: the non-face path (the default fake camera shows no face); `gate`: wait for the
   * face gate to accept (a browser whose camera shows a face).
   */
  face?: 'gate' | 'manual';
  /** This browser passed the device check before (a shared PC: the next candidate starts at login). */
  checked?: boolean;
}

/**
 * A candidate from the first screen to the exam page, pressing the buttons by their visible
 * labels (the seed's 【】 labels where it has them).
 */
export async function walkToExam(page: Page, url: string, candidate: string, ticketCode: string, opts: WalkOptions = {}): Promise<void> {
  const on = async (step: string) => {
    await waitForStep(page, step);
    await opts.onStep?.(step);
  };
  await page.goto(`${url}/#/${opts.examId ? `?exam=${opts.examId}` : ''}`);
  if (!opts.checked) {
    await on('check');
    await pressUntilStep(page, page.getByRole('button', { name: '下一步' }), 'login');
  }
  await on('login');
  await page.getByLabel('考生号').fill(candidate);
  await page.getByLabel('准考证验证码').fill(ticketCode);
  if (opts.face === 'gate') await page.getByText('人脸检测通过').waitFor({ timeout: 20_000 });
  else await page.getByLabel(/由监督员人工核验身份/).check();
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await on('procedure');
  await readToEnd(page);
  await page.getByRole('button', { name: '下一步' }).click();
  await on('evidence');
  await page.getByRole('button', { name: '下一步' }).click();
  await on('lottery');
  await page.getByRole('button', { name: '抽签', exact: true }).click();
  await page.getByTestId('lottery-number').waitFor();
  await opts.onStep?.('lottery-drawn');
  await page.getByRole('button', { name: '下一步' }).click();
  await on('pledge');
  await readToEnd(page);
  await page.getByRole('button', { name: '我已阅读并同意' }).click();
  await on('notice');
  await readToEnd(page);
  await page.getByRole('button', { name: '我已阅读并同意' }).click();
  await on('enter');
  if (opts.stopAtEnter) return;
  await page.getByRole('button', { name: '进入考试' }).click();
  await on('devices');
  await page.getByRole('button', { name: '下一步' }).click();
  await on('exam');
}

/** What has keyboard focus, looking inside shadow roots. Plain JS (see LOCAL_COPIES). */
const FOCUSED = `(() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el) return '';
  return [el.tagName.toLowerCase(), el.id, el.getAttribute('role') || '', (el.getAttribute('aria-label') || el.textContent || '').trim()].join('|');
})()`;

/**
 * Presses Tab until the focused element is `tag` (button, input, textarea, div) whose id, role or
 * visible name is `name`; fails when 80 presses do not reach it (it is not keyboard-reachable).
 */
export async function tabTo(page: Page, tag: string, name: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const [t = '', id, role, label] = (await page.evaluate<string>(FOCUSED)).split('|');
    if (t === tag && (id === name || role === name || label === name)) return;
  }
  assert.fail(`no ${tag} "${name}" reachable with Tab`);
}

/** Reaches a button by Tab and presses it with Enter. */
export async function pressByKeyboard(page: Page, name: string): Promise<void> {
  await tabTo(page, 'button', name);
  await page.keyboard.press('Enter');
}
