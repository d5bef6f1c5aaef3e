import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/ui/count-down.js';
import type { CountDown } from '../../src/ui/count-down.js';

describe('count-down', () => {
  it('shows the time left on the clock it is given, not the device clock', async () => {
    const serverNow = () => 1_000_000;
    const el = await fixture<CountDown>(html`<count-down .now=${serverNow} until=${1_000_000 + 605_000} label="starts in"></count-down>`);
    const timer = el.shadowRoot!.querySelector('[role=timer]')!;
    expect(timer.textContent).to.equal('10:05');
    expect(timer.getAttribute('aria-label')).to.equal('starts in');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('fires countdown-done once when the time is up', async () => {
    let t = 0;
    const el = await fixture<CountDown>(html`<count-down .now=${() => t} until=${1_500}></count-down>`);
    setTimeout(() => { t = 2_000; }, 50);
    await oneEvent(el, 'countdown-done');
    expect(el.shadowRoot!.textContent).to.contain('00:00');
  });
});
