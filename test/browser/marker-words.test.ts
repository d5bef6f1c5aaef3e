import { expect } from '@open-wc/testing';
import { setLocale } from '../../src/i18n/i18n.js';
import { timeOfDay } from '../../src/i18n/time-of-day.js';
import { markerWords } from '../../src/review/marker-label.js';
import type { ReviewMarker } from '../../src/core/review.js';

describe('review timeline words', () => {
  afterEach(() => setLocale('zh-CN'));

  it('a clock time reads as toLocaleTimeString with a 24-hour clock did, in both languages', () => {
    const moments = [Date.UTC(2026, 11, 2, 0, 5, 9), Date.UTC(2026, 11, 2, 9, 3, 10), Date.UTC(2026, 11, 2, 23, 59, 59), Date.now()];
    for (const lang of ['zh-CN', 'en'] as const) {
      setLocale(lang);
      for (const ms of moments) expect(timeOfDay(ms)).to.equal(new Date(ms).toLocaleTimeString(lang, { hour12: false }));
    }
  });

  it('a marker list is put into words once per language, and again after a switch', () => {
    setLocale('zh-CN');
    const at = Date.UTC(2026, 11, 2, 6, 0, 0);
    const markers: ReviewMarker[] = [
      { id: 'f1', type: 'flag', at, name: 'no-face', kind: 'cant-see' },
      { id: 'c1', type: 'chat', at: at + 1_000, name: 'candidate', text: '麦克风没声音' },
    ];
    const zh = markerWords(markers);
    expect(markerWords(markers)).to.equal(zh);
    expect(zh.map((w) => w.time)).to.deep.equal([timeOfDay(at), timeOfDay(at + 1_000)]);
    expect(zh[1]?.text).to.contain('麦克风没声音');
    expect(zh[0]?.label).to.equal(`${zh[0]?.time} ${zh[0]?.text}`);
    setLocale('en');
    const en = markerWords(markers);
    expect(en).to.not.equal(zh);
    expect(en[0]?.text).to.not.equal(zh[0]?.text);
    expect(en[0]?.text).to.match(/[A-Za-z]/);
    // A new list (the case changed) is put into words afresh.
    expect(markerWords([...markers])).to.not.equal(en);
  });
});
