import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFilesNote } from '../../server/open-files.js';
import { MALLOC_ENV, mallocNote } from '../../server/memory-note.js';

const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${soft}                 1048576              files     \n`;

test('the start line gives the open-files limit, what it holds, and how to raise a low one', () => {
  assert.equal(openFilesNote(() => limits('1024')), 'open files: limit 1024, about 217 candidates on this process — raise it for a large exam (systemd LimitNOFILE=65536, or ulimit -n 65536 before starting)');
  assert.equal(openFilesNote(() => limits('65536')), 'open files: limit 65536, about 13943 candidates on this process');
  assert.equal(openFilesNote(() => limits('unlimited')), 'open files: unlimited');
  assert.equal(openFilesNote(() => { throw new Error('no /proc'); }), null);
  assert.match(openFilesNote() ?? 'open files: limit', /^open files: /, 'this machine\'s own limit reads');
});

test('the start line asks for the allocator setting on glibc when it is missing; not when set, nor on another C library', () => {
  assert.match(mallocNote({}, () => '2.36') ?? '', /^memory: start the server with MALLOC_MMAP_THRESHOLD_=131072 in its environment \(docs\/deploy\.md\)/);
  assert.equal(mallocNote({ ...MALLOC_ENV }, () => '2.36'), null);
  assert.equal(mallocNote({}, () => undefined), null, 'musl or another system: the variable means nothing there');
  // This machine (Debian, glibc): the tests start their servers with it.
  assert.ok(mallocNote({}) !== null, 'glibc found on this machine');
});
