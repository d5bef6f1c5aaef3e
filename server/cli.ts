import { configFromEnv } from './config.js';
import { createServices } from './services.js';
import { importExamFile } from './exam-import.js';
import { hashPassword } from './auth/password.js';

const USAGE = `usage:
  invigil import <exam.json>     validate an exam file and load it (re-importing updates it)
  invigil hash-password          read a password on stdin, print the hash for an exam file
environment: DATA_DIR (default ./data)`;

/** Returns the process exit code. */
export async function runCli(argv: string[], out = console.log, err = console.error): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'import' && rest.length === 1 && rest[0]) {
    const { dataDir } = configFromEnv();
    const services = await createServices(dataDir);
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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
