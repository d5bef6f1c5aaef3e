import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/evidence/phone-scan.js';
import type { PhoneScan } from '../../src/evidence/phone-scan.js';

const shadow = (el: PhoneScan) => el.shadowRoot!;
const button = (el: PhoneScan, text: RegExp) => [...shadow(el).querySelectorAll('button')].find((b) => text.test(b.textContent ?? ''))!;
const settle = (el: PhoneScan) => el.updateComplete.then(() => new Promise((r) => setTimeout(r, 0)));

/** Compass readings as Chrome on Android gives them while the phone turns. */
function turn(headings: number[]): void {
  for (const h of headings) window.dispatchEvent(new DeviceOrientationEvent('deviceorientationabsolute', { alpha: (360 - h) % 360, absolute: true }));
}

describe('phone-scan (the 360° room scan)', () => {
  it('measures coverage from the compass: the missing directions shown, finishing only once all twelve are filmed', async () => {
    const el = await fixture<PhoneScan>(html`<phone-scan></phone-scan>`);
    button(el, /开始 360 度环拍|Start the 360/).click();
    // The motion permission (where the browser has one) is asked first: listening starts after it.
    await new Promise((r) => setTimeout(r, 300));
    await settle(el);
    turn([0, 40, 70, 100, 130, 160]);
    await settle(el);
    expect(shadow(el).querySelector('[data-scan]')!.getAttribute('data-scan')).to.equal('incomplete');
    expect(shadow(el).querySelectorAll('[data-covered="yes"]').length).to.equal(6);
    expect(button(el, /完成环拍|Finish the scan/).disabled).to.equal(true);
    turn([190, 220, 250, 280, 310, 340]);
    await settle(el);
    expect(shadow(el).querySelector('[data-scan]')!.getAttribute('data-scan')).to.equal('complete');
    const done = oneEvent(el, 'scan-done');
    button(el, /完成环拍|Finish the scan/).click();
    expect((await done).detail).to.deep.equal({ coverage: 1, measured: true });
    await expect(el).shadowDom.to.be.accessible();
  });

  it('without a compass reading it scans by time, and may be confirmed only when the time is up: "coverage not measured"', async () => {
    const el = await fixture<PhoneScan>(html`<phone-scan .timedMs=${5_000}></phone-scan>`);
    button(el, /开始 360 度环拍|Start the 360/).click();
    // No orientation events at all (a laptop, a phone without a compass): after 3 s, the timed scan.
    await new Promise((r) => setTimeout(r, 3_300));
    await settle(el);
    expect(shadow(el).querySelector('[data-scan="timed"]')).to.not.equal(null);
    expect(button(el, /我已环拍一周|I have filmed all around/).disabled).to.equal(true, 'not before the time is up');
    expect(shadow(el).querySelector('[role=timer]')!.textContent).to.match(/还需 [12] 秒|[12] s more/);
    await new Promise((r) => setTimeout(r, 2_500));
    await settle(el);
    const done = oneEvent(el, 'scan-done');
    button(el, /我已环拍一周|I have filmed all around/).click();
    expect((await done).detail).to.deep.equal({ coverage: 0, measured: false });
  });
});
