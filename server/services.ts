import { sql } from 'kysely';
import { describeDb, openDb, type Db } from './db/open.js';
import { prepareDataDir } from './data-dir.js';
import { loadOrCreateSecret } from './auth/secret.js';
import { TokenSigner } from './auth/tokens.js';
import { TicketCodes } from './auth/ticket-codes.js';
import { LoginThrottle, memoryLimiters, type LimiterFactory } from './auth/login-throttle.js';
import { ExamStore } from './domain/exam-store.js';
import { AccessLog } from './domain/access-log.js';
import { Retention } from './domain/retention.js';
import { Scrubber, scrubRate } from './domain/scrubber.js';
import { ReviewDecisions } from './domain/review.js';
import { ReviewIndexer } from './domain/review-indexer.js';
import { LayoutCache } from './media/layout-cache.js';
import { Lottery } from './domain/lottery.js';
import { Progress } from './domain/progress.js';
import { Sessions } from './domain/sessions.js';
import { Recordings } from './domain/recordings.js';
import { Questions } from './domain/questions.js';
import { EventLog } from './domain/event-log.js';
import { Identity } from './domain/identity.js';
import { Quotas } from './domain/quotas.js';
import { Changes } from './domain/changes.js';
import { Presence } from './domain/presence.js';
import { ReportedBytes } from './domain/reported-bytes.js';
import { RoomView } from './domain/room-view.js';
import { ProctorActions } from './domain/proctor-actions.js';
import { EvidencePhones } from './domain/evidence-phones.js';
import { BindThrottle } from './auth/bind-throttle.js';
import { personalTimes } from '../src/core/timeline.js';
import { openBlobStore } from './storage/open-store.js';
import { redisLimiters } from './shared/redis-limiters.js';
import { localBus, redisBus, type Bus } from './shared/bus.js';
import { redisLeadership, soleLeadership, type Leadership } from './shared/leader.js';
import type { BlobStore } from './storage/blob-store.js';

/** Everything the HTTP and WebSocket layers use, built once per process. */
export interface Services {
  db: Db;
  exams: ExamStore;
  sessions: Sessions;
  lottery: Lottery;
  progress: Progress;
  recordings: Recordings;
  /** Who viewed a candidate's evidence, and when. */
  access: AccessLog;
  /** The exam's retentionDays enforced: evidence past it deleted, held candidates kept. */
  retention: Retention;
  /** Re-reads stored chunks in the background at a bounded rate (SCRUB_BYTES_PER_SECOND). */
  scrubber: Scrubber;
  /** The reviewers' judgements of flags and candidates (R13). */
  review: ReviewDecisions;
  /** Segment indexes for review playback (memory, and beside the chunks once verified). */
  layouts: LayoutCache;
  /** Indexes each recording for review once it is verified, in the background. */
  indexer: ReviewIndexer;
  /** Signs and checks session tokens, upload credentials and media tickets. */
  signer: TokenSigner;
  questions: Questions;
  events: EventLog;
  identity: Identity;
  quotas: Quotas;
  /** Notices for the live console (tile changes, chat, progress). */
  changes: Changes;
  presence: Presence;
  reported: ReportedBytes;
  roomView: RoomView;
  actions: ProctorActions;
  /** The candidates' evidence phones (R4): binding codes, bindings, reports. */
  phones: EvidencePhones;
  /** Server secret for derived values (question keys). */
  secret: Uint8Array;
  blobs: BlobStore;
  now: () => number;
  /** One line for the administrator (failed logins, faults). */
  log: (line: string) => void;
  /** What this process tells the other server processes (Redis pub/sub), and hears from them. */
  bus: Bus;
  /** Whether this process runs the cluster-wide jobs (lottery, retention): a lease in Redis, else always. */
  leader: Leadership;
  /** Closes connections to shared services (Redis) opened for a serving process. */
  release: () => Promise<void>;
  /** Each dependency as this process reaches it now, for `/healthz` (the load balancer's check). */
  health: () => Promise<Health>;
}

export type DependencyState = 'ok' | 'down' | 'off';
export interface Health { ok: boolean; db: DependencyState; store: DependencyState; redis: DependencyState }
const HEALTH_TIMEOUT_MS = 2_000;

export interface ServiceOptions {
  now?: () => number;
  sessionTokenTtlMs?: number;
  log?: (line: string) => void;
  /** Where throttle counters live: this process's memory by default. */
  limiters?: LimiterFactory;
  /**
   * This process serves the data directory: it removes the temporary files an interrupted write
   * left. Off for everything else that opens it (the CLI, a test reading what the server stored):
   * while a server runs, its temporaries are uploads being written now.
   */
  serving?: boolean;
  /** Read for the storage settings (S3_*, AWS_*): this process's environment by default. */
  env?: NodeJS.ProcessEnv;
}

export async function createServices(dataDir: string, opts: ServiceOptions = {}): Promise<Services> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((line: string) => console.log(line));
  const env = opts.env ?? process.env;
  await prepareDataDir(dataDir);
  const secret = await loadOrCreateSecret(dataDir, env);
  const db = await openDb(dataDir, env);
  const signer = new TokenSigner(secret, now, opts.sessionTokenTtlMs);
  const codes = new TicketCodes(secret);
  const exams = new ExamStore(db, codes, now);
  if ((await exams.sealLegacyTicketCodes()) > 0) log('exams: ticket codes imported in clear are now kept only as keyed hashes');
  const lottery = new Lottery(db, exams, now);
  const { store: blobs, where, disk } = await openBlobStore(dataDir, env);
  if (opts.serving) {
    log(`database: ${describeDb(dataDir, env)}`);
    log(`storage: ${where}`);
    const removed = disk ? await disk.removeTemporaries() : 0;
    if (removed > 0) log(`storage: removed ${removed} temporary file(s) left by an interrupted write`);
  }
  // Counters shared by every server process (REDIS_URL): only a serving process connects.
  const shared = opts.serving && !opts.limiters && env.REDIS_URL ? await redisLimiters(env.REDIS_URL, log) : null;
  if (shared) log('throttles: counted in Redis (shared by every server process)');
  const limiters = opts.limiters ?? shared?.limiters ?? memoryLimiters;
  // Live notices between server processes (REDIS_URL): only a serving process has sockets to tell.
  const bus = opts.serving && env.REDIS_URL ? await redisBus(env.REDIS_URL, log) : localBus();
  if (bus.shared) log('bus: live notices shared with the other server processes through Redis');
  const changes = new Changes(bus);
  const leaseSeconds = Number(env.LEADER_LEASE_SECONDS ?? 30);
  if (!(leaseSeconds >= 1)) throw new Error('LEADER_LEASE_SECONDS must be a number of seconds, 1 or more');
  const leader = opts.serving && env.REDIS_URL
    ? await redisLeadership(env.REDIS_URL, log, { ttlMs: leaseSeconds * 1000, renewMs: (leaseSeconds * 1000) / 3 })
    : soleLeadership();
  const events = new EventLog(db, now, changes);
  const throttle = new LoginThrottle(limiters);
  const progress = new Progress(db, lottery, now);
  const sessions = new Sessions({ db, exams, signer, codes, throttle, log, now });
  const identity = new Identity(db, events, now);
  const inExam = async (examId: string, candidate: string) => {
    const exam = await exams.get(examId);
    const p = await progress.get(examId, candidate);
    return exam !== null && p.enteredAt !== null && p.endedAt === null && now() < personalTimes(exam.times, p).endAt;
  };
  const reported = new ReportedBytes(db, log);
  const phones = new EvidencePhones({ db, exams, sessions, progress, events, changes, reported, throttle: new BindThrottle(limiters), log, now });
  const recordings = new Recordings(db, blobs, now);
  const layouts = new LayoutCache(64);
  const presence = new Presence(db, now, inExam, (exam, candidate, everywhere) => (everywhere ? changes.emit : changes.emitHere).call(changes, { kind: 'candidate', exam, candidate }), bus, reported);
  return {
    db,
    exams,
    sessions,
    lottery,
    progress,
    recordings,
    access: new AccessLog(db, now),
    retention: new Retention({ db, exams, blobs, now, log }),
    scrubber: new Scrubber(recordings, scrubRate(env), log),
    review: new ReviewDecisions(db, now),
    layouts,
    indexer: new ReviewIndexer(recordings, layouts, log),
    signer,
    questions: new Questions(secret, now),
    events,
    identity,
    quotas: new Quotas(db, events, limiters, now),
    changes,
    presence,
    reported,
    roomView: new RoomView({ db, lottery, sessions, progress, events, identity, presence, reported, phones, now }),
    actions: new ProctorActions({ db, events, progress, changes, now }),
    phones,
    bus,
    leader,
    secret,
    blobs,
    now,
    log,
    release: async () => {
      await recordings.closePacks();
      await shared?.close();
      await bus.close();
      await leader.stop();
    },
    health: async () => {
      const reach = (work: () => Promise<unknown>): Promise<DependencyState> => new Promise((resolve) => {
        const timer = setTimeout(() => resolve('down'), HEALTH_TIMEOUT_MS);
        work().then(() => resolve('ok'), () => resolve('down')).finally(() => clearTimeout(timer));
      });
      const [dbState, store] = await Promise.all([
        reach(() => sql`select 1`.execute(db)),
        reach(async () => (await blobs.read('healthz/probe'))?.[Symbol.asyncIterator]().return?.()),
      ]);
      const redis: DependencyState = shared ? (shared.ready() ? 'ok' : 'down') : 'off';
      // Without Redis each process still serves (its own counters): reported, not a reason to leave the pool.
      return { ok: dbState === 'ok' && store === 'ok', db: dbState, store, redis };
    },
  };
}
