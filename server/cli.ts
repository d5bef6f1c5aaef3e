import { configFromEnv } from './config.js';
import { createServices, type Services } from './services.js';
import { importExamFile } from './exam-import.js';
import { hashPassword } from './auth/password.js';

const USAGE = `usage:
  invigil import <exam.json>     validate an exam file and load it (re-importing updates it)
  invigil hash-password          read a password on stdin, print the hash for an exam file
  invigil verify <exam> <candidate>
                                 re-read a candidate's stored recordings and derive their hash
                                 chains again; names any chunk whose bytes changed (exit 1)
  invigil purge <exam> [--candidate <id>] [--dry-run]
                                 erase evidence now (recordings, login captures, roster photos,
                                 face descriptors, events, chat); --dry-run lists what would go.
                                 Held candidates are kept. The server does this by itself once
                                 the exam's retentionDays have passed.
environment: DATA_DIR (default ./data); S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_PREFIX and the AWS_* keys
  when the evidence is kept in an S3-compatible bucket (docs/deploy.md)`;

/** Returns the process exit code. */
export async function runCli(argv: string[], out = console.log, err = console.error, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'import' && rest.length === 1 && rest[0]) {
    const { dataDir } = configFromEnv(env);
    const services = await createServices(dataDir, { env });
    try {
      const result = await importExamFile(rest[0], services.exams, services.blobs);
      if (!result.ok) {
        err(`${rest[0]}: ${result.problems.length} problem(s), nothing was imported:`);
        for (const p of result.problems) err(`  ${p}`);
        return 1;
      }
      out(`imported exam "${result.exam.id}" (${result.exam.roster.length} candidates, ${result.exam.rooms.length} rooms) into ${dataDir}`);
      return 0;
    } finally {
      await services.db.destroy();
    }
  }
  if (command === 'verify' && rest.length === 2 && rest[0] && rest[1]) {
    const { dataDir } = configFromEnv(env);
    const services = await createServices(dataDir, { env });
    try {
      return await verifyCandidate(services, rest[0], rest[1], out, err);
    } finally {
      await services.db.destroy();
    }
  }
  if (command === 'purge' && rest[0] && !rest[0].startsWith('--')) {
    const [examId, ...flags] = rest;
    const dryRun = flags.includes('--dry-run');
    const at = flags.indexOf('--candidate');
    const candidate = at >= 0 ? flags[at + 1] : undefined;
    const unknown = flags.filter((f, i) => f !== '--dry-run' && !(at >= 0 && (i === at || i === at + 1)));
    if (unknown.length > 0 || (at >= 0 && !candidate)) {
      err(USAGE);
      return 2;
    }
    const { dataDir } = configFromEnv(env);
    const services = await createServices(dataDir, { env });
    try {
      return await purge(services, examId, { dryRun, ...(candidate ? { candidate } : {}) }, out, err);
    } finally {
      await services.db.destroy();
    }
  }
  if (command === 'hash-password' && rest.length === 0) {
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (!password) {
      err('give the password on standard input');
      return 1;
    }
    out(await hashPassword(password));
    return 0;
  }
  err(USAGE);
  return 2;
}

/** `invigil purge`: one line per candidate — what goes (or would), or why it is kept. */
async function purge(services: Services, examId: string, opts: { candidate?: string; dryRun: boolean }, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  let erased;
  try {
    erased = await services.retention.erase(examId, opts);
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 1;
  }
  const verb = opts.dryRun ? 'would delete' : 'deleted';
  for (const e of erased) {
    if (e.heldFor !== null) {
      out(`${e.candidate}: kept — on hold: ${e.heldFor}`);
      continue;
    }
    out(`${e.candidate}: ${verb} ${e.recordings} recording(s) (${e.recordingBytes} bytes), ${e.captures} login capture(s), ${e.photo ? 'the roster photo' : 'no roster photo'}, ${e.events} event(s), ${e.chat} chat message(s)`);
  }
  if (opts.dryRun) out('dry run: nothing was changed');
  return 0;
}

/** `invigil verify`: one line per recording, then the verdict; exit 1 when anything differs. */
async function verifyCandidate(services: Services, examId: string, candidateId: string, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  const exam = await services.exams.get(examId);
  if (!exam) {
    err(`no exam "${examId}" in this data directory`);
    return 1;
  }
  if (!exam.config.roster.some((c) => c.id === candidateId)) {
    err(`no candidate "${candidateId}" in exam "${examId}"`);
    return 1;
  }
  const checks = await services.recordings.verifyStored({ exam: examId, candidate: candidateId });
  if (checks.length === 0) {
    out(`${examId}/${candidateId}: no recordings stored`);
    return 0;
  }
  for (const c of checks) {
    const state = c.verifiedAt === null ? 'not completed by the device yet' : `verified ${new Date(c.verifiedAt).toISOString()}`;
    out(`${c.kind} ${c.id}: ${c.chunks} chunks, ${c.bytes} bytes, ${state}`);
    out(`  chain head ${c.chainHead ?? '(none declared)'}`);
    out(`  derived    ${c.derivedHead}${c.chainHead === null ? '' : c.chainHead === c.derivedHead ? '  (matches)' : '  (DIFFERS)'}`);
    for (const b of c.bad) {
      err(`  chunk ${b.segment}/${b.seq}: ${b.found === null ? 'missing from the store' : `stored bytes hash to ${b.found}, recorded ${b.recorded}`}`);
    }
  }
  const broken = checks.filter((c) => !c.intact);
  if (broken.length > 0) {
    err(`${broken.length} of ${checks.length} recording(s) of ${candidateId} do not match what was recorded`);
    return 1;
  }
  out(`all ${checks.length} recording(s) of ${candidateId} intact`);
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
