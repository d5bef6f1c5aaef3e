import { expect, fixture, html } from '@open-wc/testing';
import '../../src/ui/lang-switch.js';
import '../../src/candidate/candidate-login.js';
import { locale, setLocale } from '../../src/i18n/i18n.js';
import type { LangSwitch } from '../../src/ui/lang-switch.js';
import type { CandidateLogin } from '../../src/candidate/candidate-login.js';

describe('lang-switch', () => {
  afterEach(() => setLocale('zh-CN'));

  it('starts in zh-CN, switches to English, re-renders other elements and remembers it', async () => {
    setLocale('zh-CN');
    // Two Lit fixtures (a plain wrapper would wait on requestAnimationFrame, paused in background tabs).
    const sw = await fixture<LangSwitch>(html`<lang-switch></lang-switch>`);
    const login = await fixture<CandidateLogin>(html`<candidate-login></candidate-login>`);
    expect(login.shadowRoot!.querySelector('h1')!.textContent).to.equal('考生登录');
    const button = sw.shadowRoot!.querySelector('button')!;
    expect(button.textContent).to.equal('English');
    button.click();
    await login.updateComplete;
    await sw.updateComplete;
    expect(locale()).to.equal('en');
    expect(localStorage.getItem('invigil.locale')).to.equal('en');
    expect(document.documentElement.lang).to.equal('en');
    expect(login.shadowRoot!.querySelector('h1')!.textContent).to.equal('Candidate login');
    expect(button.textContent).to.equal('中文');
    await expect(sw).shadowDom.to.be.accessible();
  });
});
