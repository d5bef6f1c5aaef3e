import { expect, fixture, html } from '@open-wc/testing';
import '../../src/proctor/proctor-login.js';
import type { ProctorLogin } from '../../src/proctor/proctor-login.js';

describe('proctor-login', () => {
  it('an empty field is named by its label before anything is sent — never by an internal name', async () => {
    const el = await fixture<ProctorLogin>(html`<proctor-login></proctor-login>`);
    const sent: unknown[] = [];
    el.addEventListener('proctor-login', (e) => sent.push((e as CustomEvent).detail));
    const root = el.shadowRoot!;
    (root.querySelector('#exam-id') as HTMLInputElement).value = 'exam-1';
    root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await el.updateComplete;
    const alert = root.querySelector('[role="alert"]')!;
    expect(alert.textContent.trim()).to.equal('请填写：监督员编号、密码');
    expect(alert.textContent).not.to.match(/proctorId|password/);
    expect(sent).to.deep.equal([]);
    // Focus goes to the first empty field.
    expect(root.activeElement?.id).to.equal('proctor-id');
    (root.querySelector('#proctor-id') as HTMLInputElement).value = 'p1';
    (root.querySelector('#password') as HTMLInputElement).value = 'secret';
    root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await el.updateComplete;
    expect(root.querySelector('[role="alert"]')).to.equal(null);
    expect(sent).to.deep.equal([{ examId: 'exam-1', proctorId: 'p1', password: 'secret' }]);
  });
});
