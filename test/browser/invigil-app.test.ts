import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/app/invigil-app.js';
import type { InvigilApp } from '../../src/app/invigil-app.js';

describe('invigil-app', () => {
  afterEach(() => { location.hash = ''; });

  it('loads only the mode the hash names, and switches on hashchange', async () => {
    location.hash = '#/review/x';
    const el = await fixture<InvigilApp>(html`<invigil-app></invigil-app>`);
    // Each mode is its own module graph, compiled by the dev server on first load (seconds on a busy machine).
    await waitUntil(() => el.shadowRoot!.querySelector('review-app'), 'review mode renders', { timeout: 15_000 });
    expect(customElements.get('proctor-app')).to.equal(undefined, 'proctor code not loaded');
    location.hash = '#/evidence/AB12';
    // The phone mode is a larger module graph (recording, upload, scan): the dev server compiles it on first load.
    await waitUntil(() => el.shadowRoot!.querySelector('evidence-app'), 'evidence mode renders', { timeout: 15_000 });
    const evidence = el.shadowRoot!.querySelector('evidence-app')!;
    expect(evidence.code).to.equal('AB12', 'the code from the QR code\'s address');
    await waitUntil(() => evidence.shadowRoot!.querySelector('[data-phone-phase="bind"]'), 'the phone page shows its code form', { timeout: 10_000 });
    expect(customElements.get('proctor-app')).to.equal(undefined);
    await expect(el).shadowDom.to.be.accessible();
  });
});
