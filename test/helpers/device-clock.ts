import type { BrowserContext, Page } from 'playwright-core';

/**
 * A device clock that is off by a settable amount (kept across reloads in localStorage): Date
 * moves, the monotonic clock (performance.now) does not — as when someone changes the clock or
 * the time zone setting is wrong. Plain JS in a string (tsx would add helpers the page lacks).
 */
const SHIFT_SCRIPT = `(() => {
  const RealDate = Date;
  const shift = () => Number(localStorage.getItem('test.clockShift') || 0);
  class ShiftedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(RealDate.now() + shift()); else super(...args); }
    static now() { return RealDate.now() + shift(); }
  }
  globalThis.Date = ShiftedDate;
})()`;

export async function installShiftableClock(context: BrowserContext): Promise<void> {
  await context.addInitScript(SHIFT_SCRIPT);
}

/** Moves this origin's device clock to real time + `ms` (at once, without a reload). */
export async function setClockShift(page: Page, ms: number): Promise<void> {
  await page.evaluate((v) => localStorage.setItem('test.clockShift', String(v)), ms);
}
