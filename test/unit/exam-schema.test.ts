import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExamConfig } from '../../src/core/exam-schema.js';
import { formatIssues } from '../../src/core/issues.js';
import { examFixture } from '../helpers/exam-fixture.js';

const START = Date.parse('2026-12-01T01:00:00Z');

test('a valid exam parses and gets the documented defaults', () => {
  const exam = ExamConfig.parse(examFixture({ startAt: START }));
  assert.equal(exam.timeline.loginOpensMinutesBefore, 30);
  assert.equal(exam.timeline.readingMinutes, 10);
  assert.equal(exam.timeline.answeringMinutes, 5);
  assert.equal(exam.recording.videoBitsPerSecond, 300_000);
  assert.equal(exam.recording.audioBitsPerSecond, 32_000);
  assert.equal(exam.retentionDays, 90);
  assert.deepEqual(exam.iceServers, []);
});

test('every problem is reported with its JSON path', () => {
  const bad = examFixture({ startAt: START }) as any;
  bad.id = 'has space';
  bad.timeline.start = 'tomorrow';
  bad.roster[1].room = 'Z';
  bad.roster[2].id = bad.roster[0].id;
  delete bad.attachments.pledge;
  bad.title = { en: 'no chinese' };
  const result = ExamConfig.safeParse(bad);
  assert.equal(result.success, false);
  const lines = formatIssues(result.error);
  const paths = lines.map((l) => l.split(':')[0]);
  for (const p of ['id', 'timeline.start', 'attachments.pledge', 'title.zh-CN']) assert.ok(paths.includes(p), `missing ${p} in ${lines.join('\n')}`);
});

test('cross-references are checked: rooms, duplicates, proctor rooms, timeline order', () => {
  const bad = examFixture({ startAt: START, proctorHash: 'scrypt$x' }) as any;
  bad.roster[1].room = 'Z';
  bad.roster[2].id = bad.roster[0].id;
  bad.proctors[0].rooms = ['A', 'Q'];
  bad.timeline.entryOpensMinutesBefore = 40;
  const result = ExamConfig.safeParse(bad);
  assert.equal(result.success, false);
  const lines = formatIssues(result.error);
  assert.ok(lines.includes('roster[1].room: unknown room "Z"'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('roster[2].id: duplicate candidate id')), lines.join('\n'));
  assert.ok(lines.includes('proctors[0].rooms[1]: unknown room "Q"'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('timeline.entryOpensMinutesBefore:')), lines.join('\n'));
});

test('proctor passwords must be hashes, never plain text', () => {
  const bad = examFixture({ startAt: START, proctorHash: 'hunter2' });
  const result = ExamConfig.safeParse(bad);
  assert.equal(result.success, false);
  assert.match(formatIssues(result.error).join('\n'), /proctors\[0\]\.passwordHash: must be a hash/);
});
