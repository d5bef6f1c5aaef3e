import type { CandidateTile } from './room-schema.js';

/**
 * How much a candidate needs a proctor now, for the order of the tiles: unread 【求助】 first,
 * then standing flags, a pending live identity check, an outage, device and upload problems.
 * Leads for a person, not verdicts — the weights only order the screen.
 */
export function attention(t: CandidateTile): number {
  let score = 0;
  score += Math.min(t.unreadChat, 5) * 100;
  for (const f of t.flags.standing) score += f.kind === 'suspicious' ? 60 : 40;
  if (t.identity.needsLiveCheck && t.identity.confirmedAt === null) score += 35;
  if (t.offlineSince !== null) score += 50;
  if (t.uploads.some((u) => u.problem !== null)) score += 30;
  score += Math.min(t.deviceProblems, 3) * 10;
  return score;
}

/** The tiles in the order they are shown: most attention first, then by draw number and id. */
export function byAttention(tiles: readonly CandidateTile[]): CandidateTile[] {
  return [...tiles].sort((a, b) => attention(b) - attention(a)
    || (a.number ?? Infinity) - (b.number ?? Infinity) || a.id.localeCompare(b.id));
}

/**
 * The tiles in a held order: while the proctor points at or works in the grid, tiles must not move
 * under the pointer (a re-sort between aiming and clicking opens the wrong candidate). Tiles in
 * `held` keep their places; any not in it (new to the room) follow, by attention.
 */
export function inHeldOrder(tiles: readonly CandidateTile[], held: readonly string[]): CandidateTile[] {
  const place = new Map(held.map((id, i) => [id, i]));
  const at = (t: CandidateTile) => place.get(t.id) ?? 0;
  const kept = tiles.filter((t) => place.has(t.id)).sort((a, b) => at(a) - at(b));
  return [...kept, ...byAttention(tiles.filter((t) => !place.has(t.id)))];
}

/** Tiles per page for the screen: 4, 9 or 16 (2×2, 3×3, 4×4), by how many fit at ≈ 300 px each. */
export function gridSize(width: number, height: number): 4 | 9 | 16 {
  const across = Math.floor(width / 300);
  const down = Math.floor(height / 230);
  const fit = Math.min(across, down);
  return fit >= 4 ? 16 : fit >= 3 ? 9 : 4;
}

/** Height of a tile's lines under its video (name, step, one line of chips or uploads), px. */
export const TILE_TEXT_PX = 84;

/**
 * Columns for `n` tiles filling a `width` × `height` box (gaps `gap`) so each tile's 16:9 video
 * is as large as it can be: a wide screen takes 16 as 6 × 3 rather than 4 × 4 with letterboxes.
 */
export function gridColumns(n: number, width: number, height: number, gap = 10): number {
  let best = 1;
  let bestWidth = -1;
  for (let c = 1; c <= Math.max(1, n); c++) {
    const r = Math.ceil(n / c);
    const cellW = (width - gap * (c - 1)) / c - 16;
    const mediaH = (height - gap * (r - 1)) / r - TILE_TEXT_PX;
    const videoW = Math.min(cellW, (mediaH * 16) / 9);
    if (videoW > bestWidth + 0.5) {
      best = c;
      bestWidth = videoW;
    }
  }
  return best;
}

/** Share of the recorded bytes the server holds, per recording (1 when verified; null when unknown). */
export function completeness(u: CandidateTile['uploads'][number]): number | null {
  if (u.verified) return 1;
  if (u.recordedBytes === null || u.recordedBytes === 0) return null;
  return Math.min(1, u.heldBytes / u.recordedBytes);
}
