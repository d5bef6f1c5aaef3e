/**
 * The guided 360° room scan (R4): which compass directions the phone's camera has faced. A
 * heading marks its own 30° sector; the scan is complete when all twelve are marked.
 */
export const SCAN_SECTORS = 12;
const SECTOR_DEG = 360 / SCAN_SECTORS;

export type Coverage = readonly boolean[];

export const emptyCoverage = (): Coverage => Array.from({ length: SCAN_SECTORS }, () => false);

/** The sector (0 = north, clockwise) a compass heading in degrees falls in. */
export function sectorOf(headingDeg: number): number {
  const h = ((headingDeg % 360) + 360) % 360;
  return Math.min(SCAN_SECTORS - 1, Math.floor(h / SECTOR_DEG));
}

export function markHeading(coverage: Coverage, headingDeg: number): Coverage {
  if (!Number.isFinite(headingDeg)) return coverage;
  const s = sectorOf(headingDeg);
  if (coverage[s]) return coverage;
  const next = coverage.slice();
  next[s] = true;
  return next;
}

/** Share of directions covered, 0–1. */
export const coveredShare = (coverage: Coverage): number => coverage.filter(Boolean).length / coverage.length;

/** The centre headings (degrees) of the directions still missing. */
export const missingHeadings = (coverage: Coverage): number[] =>
  coverage.flatMap((covered, i) => (covered ? [] : [i * SECTOR_DEG + SECTOR_DEG / 2]));

/**
 * The compass heading of a `deviceorientation` event: Safari's `webkitCompassHeading`, else
 * `360 − alpha` of an absolute reading (null when the reading is not absolute, or absent).
 */
export function headingOf(e: { alpha: number | null; absolute?: boolean; webkitCompassHeading?: number }, absoluteEvent: boolean): number | null {
  if (typeof e.webkitCompassHeading === 'number' && Number.isFinite(e.webkitCompassHeading)) return e.webkitCompassHeading;
  if (e.alpha === null || !Number.isFinite(e.alpha)) return null;
  if (!absoluteEvent && e.absolute !== true) return null;
  return (360 - e.alpha) % 360;
}
