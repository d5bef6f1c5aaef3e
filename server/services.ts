import { mkdir } from 'node:fs/promises';
import { openDb, type Db } from './db/open.js';
import { loadOrCreateSecret } from './auth/secret.js';
import { TokenSigner } from './auth/tokens.js';
import { ExamStore } from './domain/exam-store.js';
import { Lottery } from './domain/lottery.js';
import { Progress } from './domain/progress.js';
import { Sessions } from './domain/sessions.js';
import { Recordings } from './domain/recordings.js';
import { Questions } from './domain/questions.js';
import { EventLog } from './domain/event-log.js';
import { Identity } from './domain/identity.js';
import { LocalDiskStore } from './storage/local-disk-store.js';
import type { BlobStore } from './storage/blob-store.js';
import path from 'node:path';

/** Everything the HTTP and WebSocket layers use, built once per process. */
export interface Services {
  db: Db;
  exams: ExamStore;
  sessions: Sessions;
  lottery: Lottery;
  progress: Progress;
  recordings: Recordings;
  questions: Questions;
  events: EventLog;
  identity: Identity;
  /** Server secret for derived values (binding codes, question keys). */
  secret: Uint8Array;
  blobs: BlobStore;
  now: () => number;
}

export async function createServices(dataDir: string, now: () => number = Date.now, sessionTokenTtlMs?: number): Promise<Services> {
  await mkdir(dataDir, { recursive: true });
  const db = await openDb(dataDir);
  const secret = await loadOrCreateSecret(dataDir);
  const signer = new TokenSigner(secret, now, sessionTokenTtlMs);
  const exams = new ExamStore(db, now);
  const lottery = new Lottery(db, exams, now);
  const blobs = new LocalDiskStore(path.join(dataDir, 'blobs'));
  const events = new EventLog(db, now);
  return {
    db,
    exams,
    sessions: new Sessions(db, exams, signer, now),
    lottery,
    progress: new Progress(db, lottery, now),
    recordings: new Recordings(db, blobs, now),
    questions: new Questions(secret, now),
    events,
    identity: new Identity(db, events, now),
    secret,
    blobs,
    now,
  };
}
