import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createServices } from '../../server/services.js';
import { MIN, examFixture } from '../helpers/exam-fixture.js';
import { e2eEnv, type E2eEnv } from '../helpers/e2e-env.js';
import { walkToExam } from '../helpers/flow-e2e.js';
import { assertServerCopies, endExam, localCopies, sleep } from '../helpers/recording-e2e.js';

// The candidate's glue under real conditions (issue 11): a shared exam-room PC, a poisoned
// outbox item, the login frame sent while the link fails.
let e: E2eEnv;

before(async () => {
  e = await e2eEnv(examFixture({ id: 'glue', startAt: Date.now() + 12 * MIN, rooms: { A: 6 } }));
});
after(() => e?.close());

async function serverRecord(candidateId: string) {
  const s = await createServices(e.dir, { log: () => {} });
  try {
    const events = await s.events.list('glue', candidateId);
    return { events, types: events.map((x) => x.type), chat: await s.events.chat('glue', candidateId) };
  } finally {
    await s.db.destroy();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`timed out: ${what}`);
    await sleep(250);
  }
}

/** Puts an item straight into the device's outbox store (as the app would, or as a bug might). */
function enqueueRaw(page: Page, item: unknown): Promise<void> {
  return page.evaluate(`(async () => {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open('invigil'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const tx = db.transaction('outbox', 'readwrite');
    tx.objectStore('outbox').add(${JSON.stringify(item)});
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
  })()`);
}

test('a shared PC: two candidates one after the other in one browser profile, the first offline at the end — both sets arrive verified, each under its own candidate', async () => {
  const context = await e.browser.newContext();
  const page = await context.newPage();
  await walkToExam(page, e.server.url, 'cA-1', 'TA-1');
  await sleep(3_000);
  // Candidate 1 loses the network, ends, and leaves the PC (logging out offline).
  // The snapshot is taken once recording has stopped: "waiting for the network" shows while the
  // recorder may still be storing its last chunk (a CI run read 1 chunk where 2 came to be).
  await context.setOffline(true);
  await endExam(page);
  await page.getByText('等待网络').first().waitFor();
  const first = await localCopies(page);
  await page.getByRole('button', { name: /退出登录/ }).click();
  await context.setOffline(false);
  // Candidate 2 signs in on the same PC and sits the exam.
  await walkToExam(page, e.server.url, 'cA-2', 'TA-2', { checked: true });
  await sleep(3_000);
  await context.setOffline(true);
  await endExam(page);
  const all = await localCopies(page);
  await context.setOffline(false);
  const second = all.filter((r) => !first.some((f) => f.id === r.id));
  assert.equal(first.length, 2);
  assert.equal(second.length, 2);
  await assertServerCopies(first, { dataDir: e.dir, examId: 'glue', candidate: 'cA-1' }, 60_000);
  await assertServerCopies(second, { dataDir: e.dir, examId: 'glue', candidate: 'cA-2' }, 60_000);
  // Every recording verified and cleared from the device: none left with a problem.
  await waitFor('all four verified on the device', async () => (await localCopies(page)).every((r) => r.state === 'verified'), 60_000);
  // Each candidate's events under that candidate: candidate 1's early end, sent after candidate 2 signed in.
  await waitFor('candidate 1\'s events arrive', async () => (await serverRecord('cA-1')).types.includes('ended-early'));
  const one = await serverRecord('cA-1');
  const two = await serverRecord('cA-2');
  for (const [who, rec] of [['cA-1', one], ['cA-2', two]] as const) {
    assert.equal(rec.types.filter((t) => t === 'entered').length, 1, `${who}: ${rec.types.join(' ')}`);
    assert.equal(rec.types.filter((t) => t === 'login-capture').length, 1, `${who}: its own login frame`);
  }
  assert.ok(two.types.includes('ended-early'), two.types.join(' '));
  await context.close();
});

test('a logout while the early end is still on the device does not make the server refuse it afterwards', async () => {
  const context = await e.browser.newContext();
  const page = await context.newPage();
  await walkToExam(page, e.server.url, 'cA-5', 'TA-5');
  await sleep(2_000);
  // The events cannot get through (a flaky link that lets other requests pass), the session could.
  await context.route('**/api/device/events', (route) => route.abort());
  await page.getByRole('button', { name: '结束考试' }).click();
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByRole('button', { name: /退出登录/ }).click();
  await page.getByLabel('考生号').waitFor();
  await context.unroute('**/api/device/events');
  // The next pass sends it: the device still speaks for the candidate, the early end counts. Soon:
  // the page's retry (a backoff of seconds), or its re-check when the service worker's Background
  // Sync held the outbox and failed too (3 s; it used to be the idle 15 s — a CI flake at 30).
  await waitFor('the early end arrives', async () => (await serverRecord('cA-5')).types.includes('ended-early'), 12_000);
  assert.equal((await serverRecord('cA-5')).types.includes('outbox-refused'), false);
  await context.close();
});

test('a poisoned outbox item is set aside and reported; what came after it still arrives', async () => {
  const context = await e.browser.newContext();
  const page = await context.newPage();
  await walkToExam(page, e.server.url, 'cA-3', 'TA-3');
  // An event the server refuses for good (a type only the server writes), then a chat message.
  await context.setOffline(true);
  await enqueueRaw(page, { kind: 'event', examId: 'glue', candidateId: 'cA-3', event: { id: 'poison-event-aaaa', type: 'face-match', at: Date.now() } });
  await page.getByRole('button', { name: '求助' }).click();
  await page.getByLabel('给监督员的消息').fill('后面的消息还能送达吗？');
  await page.getByRole('button', { name: '发送' }).click();
  await page.getByText('未发送，联网后自动发送').waitFor();
  await context.setOffline(false);
  await waitFor('the message behind the poison arrives', async () => (await serverRecord('cA-3')).chat.some((m) => m.text === '后面的消息还能送达吗？'));
  await waitFor('the refusal is reported', async () => (await serverRecord('cA-3')).types.includes('outbox-refused'));
  const rec = await serverRecord('cA-3');
  const report = rec.events.find((x) => x.type === 'outbox-refused');
  assert.deepEqual(report?.detail, { item: 'event', code: 'bad_request' });
  assert.ok(!rec.events.some((x) => x.id === 'poison-event-aaaa'));
  // Kept on the device, marked, never sent again.
  const aside = await page.evaluate<{ id: string; code: string }[]>(`(async () => {
    const db = await new Promise((ok) => { const r = indexedDB.open('invigil'); r.onsuccess = () => ok(r.result); });
    const all = await new Promise((ok) => { const r = db.transaction('outbox').objectStore('outbox').getAll(); r.onsuccess = () => ok(r.result); });
    db.close();
    return all.filter((x) => x.refused).map((x) => ({ id: x.event ? x.event.id : '', code: x.refused.code }));
  })()`);
  assert.deepEqual(aside, [{ id: 'poison-event-aaaa', code: 'bad_request' }]);
  await context.close();
});

test('the login frame is kept on the device until the server has it (its first posts fail)', async () => {
  const context = await e.browser.newContext();
  const page = await context.newPage();
  let refused = 0;
  // On the context: the service worker's requests too.
  await context.route('**/api/device/login-capture**', async (route) => {
    refused++;
    await route.abort('internetdisconnected');
  });
  await walkToExam(page, e.server.url, 'cA-4', 'TA-4', { stopAtEnter: true });
  await waitFor('the app tried to send the frame', () => Promise.resolve(refused > 0));
  assert.ok(!(await serverRecord('cA-4')).types.includes('login-capture'));
  await context.unroute('**/api/device/login-capture**');
  // Any later pass (a stored event, the timer, the link coming back) delivers it.
  await context.setOffline(true);
  await context.setOffline(false);
  await waitFor('the login frame reaches the server', async () => (await serverRecord('cA-4')).types.includes('login-capture'), 60_000);
  const capture = (await serverRecord('cA-4')).events.find((x) => x.type === 'login-capture');
  assert.equal(capture?.detail?.faceCheck, 'manual');
  await context.close();
});
