/**
 * Presence monitoring during the exam (R9): per analysed frame, what the camera shows; flags are
 * raised only after a condition held for the debounce time and cleared once it has been gone for
 * a moment, so a blink, a cough or one bad frame raises nothing. Two kinds are kept apart:
 * "can't see" (dark, covered or frozen camera — a device problem) and "suspicious" (no face,
 * someone else in view, leaving the frame).
 */
export const FLAGS = ['camera-dark', 'camera-frozen', 'no-face', 'several-faces', 'face-leaving'] as const;
export type Flag = (typeof FLAGS)[number];
export type FlagClass = 'cant-see' | 'suspicious';
export const FLAG_CLASS: Record<Flag, FlagClass> = {
  'camera-dark': 'cant-see', 'camera-frozen': 'cant-see', 'no-face': 'suspicious', 'several-faces': 'suspicious', 'face-leaving': 'suspicious',
};

export interface PresenceSample {
  /** Server time of the frame. */
  at: number;
  width: number;
  height: number;
  faces: { box: [number, number, number, number]; score: number }[];
  light: { mean: number; std: number };
  thumb: number[];
  /**
   * The latest "others in view" check (a detector for small faces, run less often), when fresh:
   * the faces it found that were not the candidate's on that frame (othersOf). Absent: none to go by.
   */
  others?: { box: [number, number, number, number]; score: number }[];
}

export interface FlagChange { flag: Flag; kind: FlagClass; state: 'raised' | 'cleared'; at: number }

export const PRESENCE = {
  raiseAfterMs: 3_000,
  clearAfterMs: 1_000,
  /** Unchanged 8×8 thumbnails this long: the camera froze (a live sensor always moves a little). */
  frozenAfterMs: 10_000,
  darkMean: 40,
  flatStd: 6,
  /** A face box this close to an edge (share of the frame) is leaving it. */
  edge: 0.02,
  minScore: 0.75,
  /**
   * The "others in view" check (a small-face detector over the frame and four tiles of it, ≈ 200
   * ms of a core where a frame's own check takes a few) runs this often; its answer stands until
   * the next. A flag needs its condition for 3 s: someone behind the candidate is flagged in ≈ 3–11 s,
   * and monitoring stays under a tenth of a core (`npm run bench -- face`: monitor_cpu_pct).
   */
  wideEveryMs: 8_000,
} as const;

/** What one frame shows, before any debouncing. */
export function conditionsOf(s: PresenceSample): Set<Flag> {
  const out = new Set<Flag>();
  if (s.light.mean < PRESENCE.darkMean || s.light.std < PRESENCE.flatStd) {
    out.add('camera-dark');
    return out; // nothing about faces can be said from a dark picture
  }
  const faces = s.faces.filter((f) => f.score >= PRESENCE.minScore);
  // Faces only the wide check saw: further back than the short-range detector reaches. They add
  // to the count; whether the candidate is there is the short-range detector's to say.
  const further = distinctFaces(s.others ?? []).filter((o) => !faces.some((f) => sameFace(f.box, o.box)));
  const [one] = faces;
  if (!one) out.add('no-face');
  if (faces.length + further.length > 1) out.add('several-faces');
  else if (one) {
    const [x1, y1, x2, y2] = one.box;
    const ex = PRESENCE.edge * s.width;
    const ey = PRESENCE.edge * s.height;
    if (x1 <= ex || y1 <= ey || x2 >= s.width - ex || y2 >= s.height - ey) out.add('face-leaving');
  }
  return out;
}

/** Debounces conditions into raised/cleared flags and keeps the "face visible" share. */
export class PresenceTracker {
  private since = new Map<Flag, number>();
  private goneSince = new Map<Flag, number>();
  private raised = new Set<Flag>();
  private lastThumb: number[] | null = null;
  private thumbSince = 0;
  private lastAt: number | null = null;
  visibleMs = 0;
  totalMs = 0;

  get active(): ReadonlySet<Flag> {
    return this.raised;
  }

  /** Share of monitored time with exactly one face in view (0–100), or null before any. */
  get visiblePct(): number | null {
    return this.totalMs > 0 ? (100 * this.visibleMs) / this.totalMs : null;
  }

  push(s: PresenceSample): FlagChange[] {
    const now = s.at;
    const conditions = conditionsOf(s);
    if (this.lastThumb && sameThumb(this.lastThumb, s.thumb)) {
      if (now - this.thumbSince >= PRESENCE.frozenAfterMs) conditions.add('camera-frozen');
    } else {
      this.lastThumb = s.thumb;
      this.thumbSince = now;
    }
    if (this.lastAt !== null && now > this.lastAt) {
      const dt = Math.min(now - this.lastAt, 5_000);
      this.totalMs += dt;
      if (conditions.size === 0 || (conditions.size === 1 && conditions.has('face-leaving'))) this.visibleMs += dt;
    }
    this.lastAt = now;
    const changes: FlagChange[] = [];
    for (const flag of FLAGS) {
      if (conditions.has(flag)) {
        this.goneSince.delete(flag);
        const start = this.since.get(flag) ?? now;
        this.since.set(flag, start);
        const wait = flag === 'camera-frozen' ? 0 : PRESENCE.raiseAfterMs;
        if (!this.raised.has(flag) && now - start >= wait) {
          this.raised.add(flag);
          changes.push({ flag, kind: FLAG_CLASS[flag], state: 'raised', at: start });
        }
      } else {
        this.since.delete(flag);
        if (!this.raised.has(flag)) continue;
        const gone = this.goneSince.get(flag) ?? now;
        this.goneSince.set(flag, gone);
        if (now - gone >= PRESENCE.clearAfterMs) {
          this.raised.delete(flag);
          this.goneSince.delete(flag);
          changes.push({ flag, kind: FLAG_CLASS[flag], state: 'cleared', at: gone });
        }
      }
    }
    return changes;
  }
}

/** One box per face: a box whose centre lies in a larger one (a tile showing part of that face) goes. */
export function distinctFaces<T extends { box: [number, number, number, number] }>(found: readonly T[]): T[] {
  const bySize = [...found].sort((a, b) => b.box[2] - b.box[0] - (a.box[2] - a.box[0]));
  return bySize.filter((o, i) => !bySize.slice(0, i).some((p) => sameFace(p.box, o.box)));
}

/**
 * What the wide check says beyond the short-range detector on the same frame: its faces that are
 * not the candidate's. When the short-range detector found nobody, the largest wide face is taken
 * for the candidate (seen only from afar) and left out too.
 */
export function othersOf(wide: readonly { box: [number, number, number, number]; score: number }[], near: PresenceSample['faces']): NonNullable<PresenceSample['others']> {
  const faces = near.filter((f) => f.score >= PRESENCE.minScore);
  const rest = distinctFaces(wide).filter((o) => !faces.some((f) => sameFace(f.box, o.box)));
  return faces.length > 0 ? rest : rest.slice(1);
}

/** Two detections of one face: either box's centre lies inside the other. */
export function sameFace(a: [number, number, number, number], b: [number, number, number, number]): boolean {
  const inside = (p: [number, number, number, number], q: [number, number, number, number]) => {
    const cx = (p[0] + p[2]) / 2;
    const cy = (p[1] + p[3]) / 2;
    return cx >= q[0] && cx <= q[2] && cy >= q[1] && cy <= q[3];
  };
  return inside(a, b) || inside(b, a);
}

function sameThumb(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
