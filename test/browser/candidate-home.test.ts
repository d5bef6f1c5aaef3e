import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/candidate/candidate-home.js';
import type { CandidateHome } from '../../src/candidate/candidate-home.js';
import type { CandidateMe } from '../../src/core/api-schema.js';
import { setLocale } from '../../src/i18n/i18n.js';
import { MIN, START, meFixture } from '../helpers/me-fixture.js';

function me(lottery: CandidateMe['lottery']): CandidateMe {
  return meFixture({ lottery });
}

describe('candidate-home', () => {
  beforeEach(() => setLocale('zh-CN'));

  it('counts down to the start on server time and offers the draw while the lottery is open', async () => {
    const now = () => START - 20 * MIN;
    const el = await fixture<CandidateHome>(html`<candidate-home .me=${me(null)} .now=${now}></candidate-home>`);
    const root = el.shadowRoot!;
    expect(root.textContent).to.contain('测试考试');
    expect(root.textContent).to.contain('张三（2026000001），第一考场');
    const countdown = root.querySelector('count-down')!;
    await countdown.updateComplete;
    expect(countdown.shadowRoot!.textContent).to.contain('20:00');
    const draw = [...root.querySelectorAll('button')].find((b) => b.textContent === '抽签')!;
    setTimeout(() => draw.click());
    await oneEvent(el, 'draw');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('shows the drawn or auto-assigned number', async () => {
    const el = await fixture<CandidateHome>(html`<candidate-home .me=${me({ number: 7, method: 'auto', assignedAt: START - 5 * MIN })} .now=${() => START - 4 * MIN}></candidate-home>`);
    expect(el.shadowRoot!.querySelector('[data-testid=lottery-number]')!.textContent).to.equal('7');
    expect(el.shadowRoot!.textContent).to.contain('系统自动分配');
    await expect(el).shadowDom.to.be.accessible();
  });

  it('after the deadline without a number: no draw button, says it will be assigned', async () => {
    const el = await fixture<CandidateHome>(html`<candidate-home .me=${me(null)} .now=${() => START - 4 * MIN}></candidate-home>`);
    expect([...el.shadowRoot!.querySelectorAll('button')].some((b) => b.textContent === '抽签')).to.equal(false);
    expect(el.shadowRoot!.textContent).to.contain('抽签已截止');
  });

  it('says when it shows stored data offline', async () => {
    const el = await fixture<CandidateHome>(html`<candidate-home .me=${me(null)} .now=${() => START - 20 * MIN} .savedAt=${START - 25 * MIN}></candidate-home>`);
    expect(el.shadowRoot!.textContent).to.contain('离线显示');
  });
});
