import { readFileSync, readdirSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** The process whose command line carries `marker`, and all its descendants (Linux /proc). */
export function descendants(marker: string): number[] {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map<number, number>();
  let root: number | null = null;
  for (const pid of procs) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (root === null && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) root = pid;
    } catch {
      // the process ended meanwhile
    }
  }
  if (root === null) return [];
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (!out.has(pid) && out.has(ppid)) { out.add(pid); grew = true; }
  }
  return [...out];
}

/** A `/proc/…/stat` line's name and user + system ticks (the name may hold spaces and parentheses). */
function parseStat(stat: string): { name: string; ticks: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ticks: Number(f[11]) + Number(f[12]) };
}

/** User + system CPU time of these processes so far, in ms. */
export function cpuMsOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      ticks += parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks;
    } catch {
      // ended
    }
  }
  return ticks * TICK_MS;
}

/** CPU ticks of every thread of these processes so far, by "pid/tid" (with the thread's name). */
export function threadTicks(pids: number[]): Map<string, { name: string; ticks: number }> {
  const out = new Map<string, { name: string; ticks: number }>();
  for (const pid of pids) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // ended
    }
    for (const tid of tids) {
      try {
        out.set(`${pid}/${tid}`, parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
      } catch {
        // ended
      }
    }
  }
  return out;
}

/** The busiest threads between two `threadTicks` samples, as "% of one core" lines. */
export function busiestThreads(a: Map<string, { ticks: number }>, b: Map<string, { name: string; ticks: number }>, seconds: number, n = 12): string[] {
  return [...b].map(([id, t]) => ({ id, name: t.name, pct: ((t.ticks - (a.get(id)?.ticks ?? t.ticks)) * TICK_MS) / (seconds * 10) }))
    .filter((t) => t.pct > 0).sort((x, y) => y.pct - x.pct).slice(0, n)
    .map((t) => `${t.pct.toFixed(1)}% ${t.name} (${t.id})`);
}
