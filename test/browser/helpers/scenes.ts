/**
 * Composed camera scenes for the face detectors, drawn on a canvas from the repository's public-
 * domain photos (examples/photos, test/fixtures: provenance in their READMEs): a room, the
 * candidate in front, and optionally a second person further back whose face is a given share
 * of the frame's width. Used by the browser tests and `npm run bench -- face --only distance`.
 */
export interface ScenePhotos {
  /** The candidate: NASA's astronaut portrait. */
  candidate: ImageBitmap;
  /** The person further back: the "cameraman" photo. */
  other: ImageBitmap;
}

/** Where the face is in each photo (shares of the 512-pixel photo), as BlazeFace boxes them. */
const CANDIDATE_FACE = [0.347, 0.162, 0.533, 0.348] as const;
const OTHER_FACE = [0.352, 0.239, 0.518, 0.404] as const;

export async function loadScenePhotos(): Promise<ScenePhotos> {
  const load = async (url: string) => createImageBitmap(await (await fetch(url)).blob());
  return { candidate: await load('/examples/photos/astronaut.png'), other: await load('/examples/photos/cameraman.png') };
}

/** A small deterministic random sequence (a scene is the same on every run). */
export function seeded(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** An empty room: wall, floor, a door, a shelf with books, a window, a poster — light and edges, no face. */
export function drawRoom(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, w: number, h: number, rand: () => number): void {
  const tone = (base: number, spread: number) => Math.round(base + (rand() - 0.5) * spread);
  const grey = (v: number) => `rgb(${v},${v - 6},${v - 16})`;
  ctx.fillStyle = grey(tone(190, 40));
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = grey(tone(95, 40));
  ctx.fillRect(0, h * 0.72, w, h * 0.28);
  ctx.fillStyle = `rgb(${tone(110, 30)},${tone(80, 20)},${tone(55, 20)})`;
  const door = w * (0.55 + rand() * 0.25);
  ctx.fillRect(door, h * 0.12, w * 0.16, h * 0.6);
  ctx.fillStyle = '#d8d2c0';
  ctx.fillRect(w * (0.05 + rand() * 0.2), h * 0.1, w * 0.2, h * 0.22);
  for (let i = 0; i < 14; i++) {
    ctx.fillStyle = `hsl(${Math.round(rand() * 360)},45%,${Math.round(30 + rand() * 30)}%)`;
    ctx.fillRect(w * 0.3 + i * w * 0.018, h * 0.42 - rand() * h * 0.05, w * 0.015, h * 0.1);
  }
  ctx.fillStyle = '#333';
  ctx.font = `${Math.round(h * 0.05)}px sans-serif`;
  ctx.fillText('EXIT 出口', door + w * 0.01, h * 0.1);
}

export interface Scene {
  /** The second person's face box in frame pixels, when there is one. */
  other: [number, number, number, number] | null;
  /** The candidate's face box in frame pixels. */
  candidate: [number, number, number, number];
}

/**
 * Draws a 640×480-style scene on `ctx`: the room, the second person (face `otherWidth` of the
 * frame's width, placed at random in the right part, upper half) when asked, then the candidate
 * on the left (face ≈ 0.24 of the width; the photo clipped to the left 55 % of the frame).
 */
export function drawScene(ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D, w: number, h: number, photos: ScenePhotos, otherWidth: number | null, rand: () => number): Scene {
  drawRoom(ctx, w, h, rand);
  let other: Scene['other'] = null;
  if (otherWidth !== null) {
    const scale = (otherWidth * w) / ((OTHER_FACE[2] - OTHER_FACE[0]) * photos.other.width);
    const fw = otherWidth * w;
    const fx = w * 0.58 + rand() * Math.max(0, w * 0.4 - fw * 1.2);
    const fy = h * 0.05 + rand() * h * 0.3;
    const px = fx - OTHER_FACE[0] * photos.other.width * scale;
    const py = fy - OTHER_FACE[1] * photos.other.height * scale;
    ctx.drawImage(photos.other, px, py, photos.other.width * scale, photos.other.height * scale);
    const at = (f: readonly number[], i: number) => (i % 2 ? py + (f[i] ?? 0) * photos.other.height * scale : px + (f[i] ?? 0) * photos.other.width * scale);
    other = [at(OTHER_FACE, 0), at(OTHER_FACE, 1), at(OTHER_FACE, 2), at(OTHER_FACE, 3)];
  }
  // The candidate's photo is a rectangle: only its left part is drawn (the candidate's side of the room).
  const cScale = (0.24 * w) / ((CANDIDATE_FACE[2] - CANDIDATE_FACE[0]) * photos.candidate.width);
  const cx = 0.28 * w - ((CANDIDATE_FACE[0] + CANDIDATE_FACE[2]) / 2) * photos.candidate.width * cScale;
  const cy = h * 0.12;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, w * 0.55, h);
  ctx.clip();
  ctx.drawImage(photos.candidate, cx, cy, photos.candidate.width * cScale, photos.candidate.height * cScale);
  ctx.restore();
  const c = (i: number) => (i % 2 ? cy + (CANDIDATE_FACE[i] ?? 0) * photos.candidate.height * cScale : cx + (CANDIDATE_FACE[i] ?? 0) * photos.candidate.width * cScale);
  return { other, candidate: [c(0), c(1), c(2), c(3)] };
}
