import path from 'node:path';
import { openDb, type Db } from './db/open.js';
import { prepareDataDir } from './data-dir.js';
import { loadOrCreateSecret } from './auth/secret.js';
import { TokenSigner } from './auth/tokens.js';
import { TicketCodes } from './auth/ticket-codes.js';
import { LoginThrottle, memoryLimiters, type LimiterFactory } from './auth/login-throttle.js';
import { ExamStore } from './domain/exam-store.js';
import { Lottery } from './domain/lottery.js';
import { Progress } from './domain/progress.js';
import { Sessions } from './domain/sessions.js';
import { Recordings } from './domain/recordings.js';
import { Questions } from './domain/questions.js';
import { EventLog } from './domain/event-log.js';
import { Identity } from './domain/identity.js';
import { Quotas } from './domain/quotas.js';
import { LocalDiskStore } from './storage/local-disk-store.js';
import type { BlobStore } from './storage/blob-store.js';

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
  quotas: Quotas;
  /** Server secret for derived values (binding codes, question keys). */
  secret: Uint8Array;
  blobs: BlobStore;
  now: () => number;
  /** One line for the administrator (failed logins, faults). */
  log: (line: string) => void;
}

export interface ServiceOptions {
  now?: () => number;
  sessionTokenTtlMs?: number;
  log?: (line: string) => void;
  /** Where throttle counters live: this process's memory by default. */
  limiters?: LimiterFactory;
}

export async function createServices(dataDir: string, opts: ServiceOptions = {}): Promise<Services> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((line: string) => console.log(line));
  await prepareDataDir(dataDir);
  const db = await openDb(dataDir);
  const secret = await loadOrCreateSecret(dataDir);
  const signer = new TokenSigner(secret, now, opts.sessionTokenTtlMs);
  const codes = new TicketCodes(secret);
  const exams = new ExamStore(db, codes, now);
  if ((await exams.sealLegacyTicketCodes()) > 0) log('exams: ticket codes imported in clear are now kept only as keyed hashes');
  const lottery = new Lottery(db, exams, now);
  const blobs = new LocalDiskStore(path.join(dataDir, 'blobs'));
  const removed = await blobs.removeTemporaries();
  if (removed > 0) log(`storage: removed ${removed} temporary file(s) left by an interrupted write`);
  const limiters = opts.limiters ?? memoryLimiters;
  const events = new EventLog(db, now);
  const throttle = new LoginThrottle(limiters);
  return {
    db,
    exams,
    sessions: new Sessions({ db, exams, signer, codes, throttle, log, now }),
    lottery,
    progress: new Progress(db, lottery, now),
    recordings: new Recordings(db, blobs, now),
    questions: new Questions(secret, now),
    events,
    identity: new Identity(db, events, now),
    quotas: new Quotas(db, events, limiters, now),
    secret,
    blobs,
    now,
    log,
  };
}
