import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zhCN } from '../../src/i18n/zh-CN.js';
import { proctorZhCN } from '../../src/i18n/proctor.zh-CN.js';
import { ApiRequestError } from '../../src/net/api-error.js';
import { errorText } from '../../src/ui/error-text.js';

const zh = Object.entries({ ...zhCN, ...proctorZhCN });

test('one voice in zh-CN: the person who watches is 监督员 (the seed’s word); the candidate is 你, never 您', () => {
  assert.deepEqual(zh.filter(([, text]) => text.includes('监考')).map(([key]) => key), []);
  assert.deepEqual(zh.filter(([, text]) => text.includes('您')).map(([key]) => key), []);
  assert.ok(zh.filter(([, text]) => text.includes('监督员')).length > 10);
});

test('a refused input is named by the words on screen, never by the server’s field names', () => {
  const refused = (paths: string[]) => errorText(new ApiRequestError(400, 'bad_request', 'invalid', { issues: paths.map((path) => ({ path, message: 'Required' })) }), String);
  assert.equal(refused(['proctorId', 'password']), '输入有误：监督员编号、密码');
  assert.equal(refused(['candidateId']), '输入有误：考生号');
  // A field with no words on screen: a general sentence, no internal name.
  const odd = refused(['recordings.0.bytes']);
  assert.ok(!/recordings|bytes|[A-Za-z]{3,}/.test(odd), odd);
  assert.ok(!/[A-Za-z]{3,}/.test(refused([])));
});
