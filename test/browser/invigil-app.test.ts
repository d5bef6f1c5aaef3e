import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/app/invigil-app.js';
import type { InvigilApp } from '../../src/app/invigil-app.js';

describe('invigil-app', () => {
  afterEach(() => { location.hash = ''; });

  it('loads only the mode the hash names, and switches on hashchange', async () => {
    location.hash = '#/review/x';
    const el = await fixture<InvigilApp>(html`<invigil-app></invigil-app>`);
    await waitUntil(() => el.shadowRoot!.querySelector('review-app'), 'review mode renders');
    expect(customElements.get('proctor-app')).to.equal(undefined, 'proctor code not loaded');
    location.hash = '#/evidence/AB12';
    await waitUntil(() => el.shadowRoot!.querySelector('evidence-app'), 'evidence mode renders');
    const evidence = el.shadowRoot!.querySelector('evidence-app')!;
    await evidence.updateComplete;
    expect(evidence.shadowRoot!.textContent).to.contain('AB12');
    expect(customElements.get('proctor-app')).to.equal(undefined);
    await expect(el).shadowDom.to.be.accessible();
  });
});
