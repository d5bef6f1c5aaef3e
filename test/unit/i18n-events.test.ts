import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_TYPES } from '../../src/core/event-schema.js';
import { zhCN } from '../../src/i18n/zh-CN.js';
import { en } from '../../src/i18n/en.js';

test('every event type the proctor may see has words in both languages', () => {
  const missing = EVENT_TYPES.filter((type) => !(`event.${type}` in zhCN) || !(`event.${type}` in en));
  assert.deepEqual(missing, []);
});
