import { readFileSync } from 'node:fs';

/**
 * Descriptors one candidate costs the server (two sockets, a database share, and its pack kept
 * open while it uploads — SharedPacks): ≈ 3.7 measured when a pack was open only for its request,
 * plus one (measured at 400 candidates: 400 pack descriptors open).
 */
const PER_CANDIDATE = 4.7;

/**
 * This process's limit on open files (Linux: /proc/self/limits), for the start line: with the
 * common default of 1,024 a server fails with EMFILE at about 220 candidates. Node cannot raise it
 * itself; systemd's `LimitNOFILE=` or `ulimit -n` before starting does. Null where it cannot be read.
 */
export function openFilesNote(read: () => string = () => readFileSync('/proc/self/limits', 'utf8')): string | null {
  let soft: number;
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(read());
    if (!m?.[1]) return null;
    soft = m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch {
    return null;
  }
  if (soft === Infinity) return 'open files: unlimited';
  const holds = Math.floor(soft / PER_CANDIDATE);
  const advice = soft < 16_384 ? ' — raise it for a large exam (systemd LimitNOFILE=65536, or ulimit -n 65536 before starting)' : '';
  return `open files: limit ${soft}, about ${holds} candidates on this process${advice}`;
}
