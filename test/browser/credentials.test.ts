import { expect } from '@open-wc/testing';
import { deleteDB } from 'idb';
import { saveUploadCredential, uploadCredentialFor } from '../../src/storage/credentials.js';
import { DB_NAME, closeDb, dbStats, getDb } from '../../src/storage/db.js';

const A = { examId: 'e', candidateId: 'cA-1' };
const B = { examId: 'e', candidateId: 'cA-2' };
const save = (o: typeof A, token: string) => saveUploadCredential({ ...o, token, expiresAt: 1 });

/** Writes the credentials as another tab would before its announcement arrives (straight to the store). */
async function writeElsewhere(all: Record<string, { examId: string; candidateId: string; token: string; expiresAt: number }>): Promise<void> {
  await (await getDb()).put('kv', all, 'uploadCredentials');
}

describe('upload credentials kept in memory per context', () => {
  afterEach(async () => {
    await closeDb();
    await deleteDB(DB_NAME);
  });

  it('reads the store once, then answers from memory; a save here is seen at once', async () => {
    await save(A, 'token-a1');
    expect(await uploadCredentialFor(A)).to.equal('token-a1');
    const before = dbStats.count;
    for (let i = 0; i < 10; i++) expect(await uploadCredentialFor(A)).to.equal('token-a1');
    expect(dbStats.count - before, 'no read of the store').to.equal(0);
    await save(A, 'token-a2');
    expect(await uploadCredentialFor(A)).to.equal('token-a2');
  });

  it('an owner not in memory, or a fresh read, asks the store (a save elsewhere may not be heard yet)', async () => {
    await save(A, 'token-a1');
    expect(await uploadCredentialFor(A)).to.equal('token-a1');
    await writeElsewhere({ 'e/cA-1': { ...A, token: 'token-a2', expiresAt: 1 }, 'e/cA-2': { ...B, token: 'token-b1', expiresAt: 1 } });
    expect(await uploadCredentialFor(B), 'unknown here: read').to.equal('token-b1');
    await writeElsewhere({ 'e/cA-1': { ...A, token: 'token-a3', expiresAt: 1 }, 'e/cA-2': { ...B, token: 'token-b1', expiresAt: 1 } });
    expect(await uploadCredentialFor(A, true)).to.equal('token-a3');
    expect(await uploadCredentialFor({ examId: 'e', candidateId: 'nobody' })).to.equal(undefined);
  });
});
