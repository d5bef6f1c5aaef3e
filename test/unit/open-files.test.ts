import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFilesNote } from '../../server/open-files.js';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${soft}                 1048576              files     \n`;

test('the start line gives the open-files limit, what it holds, and how to raise a low one', () => {
  assert.equal(openFilesNote(() => limits('1024')), 'open files: limit 1024, about 276 candidates on this process — raise it for a large exam (systemd LimitNOFILE=65536, or ulimit -n 65536 before starting)');
  assert.equal(openFilesNote(() => limits('65536')), 'open files: limit 65536, about 17712 candidates on this process');
  assert.equal(openFilesNote(() => limits('unlimited')), 'open files: unlimited');
  assert.equal(openFilesNote(() => { throw new Error('no /proc'); }), null);
  assert.match(openFilesNote() ?? 'open files: limit', /^open files: /, 'this machine\'s own limit reads');
});
