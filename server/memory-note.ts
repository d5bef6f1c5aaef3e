/**
 * The allocator setting a server process is started with (npm start, the tests, docs/deploy.md).
 * glibc's malloc raises its mmap threshold each time a large block is freed: after the first
 * 256 KB chunk read, every later one comes from the heap instead, and the heap keeps what four
 * reviewers' streams once needed — measured +35–70 MB of RSS that never went back. With the
 * threshold fixed, each such buffer is its own mapping, returned to the system when freed
 * (+3 MB; `npm run bench -- review`). It must be in the environment before the process starts.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

/** A line for the start log when this process runs on glibc without the setting; null otherwise. */
export function mallocNote(env: NodeJS.ProcessEnv = process.env, glibc: () => string | undefined = glibcVersion): string | null {
  if (glibc() === undefined || Object.keys(MALLOC_ENV).every((k) => env[k] !== undefined)) return null;
  const set = Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
  return `memory: start the server with ${set} in its environment (docs/deploy.md) — without it, memory freed after streaming recordings stays with the process`;
}

function glibcVersion(): string | undefined {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime;
}
