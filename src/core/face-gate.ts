import { othersOf } from './presence.js';

/**
 * The login face gate (R2): the capture is accepted only with exactly one clear, unobstructed,
 * frontal face, large and central enough and lit well enough. Pure geometry and light rules over
 * what the detector found; the worker measures, this decides, the UI shows the guidance.
 */
export type Point = [x: number, y: number];
export interface GateFace {
  box: [number, number, number, number];
  /** Right eye, left eye, nose, mouth, right ear, left ear — as seen in the image. */
  landmarks: Point[];
  score: number;
  light: { mean: number; std: number };
}
export interface GateFrame {
  width: number;
  height: number;
  faces: GateFace[];
  /** The whole frame's luma: with no face found, a dark frame asks for light, not for a face. */
  light?: { mean: number; std: number };
  /** The wide check's faces (small ones too: someone further back), when it ran on this frame. */
  wide?: { faces: { box: [number, number, number, number]; score: number }[] };
}

export const GUIDANCE = ['no-face', 'several', 'closer', 'centre', 'light', 'uncover', 'frontal'] as const;
export type Guidance = (typeof GUIDANCE)[number];
export type GateVerdict = { accepted: true; face: GateFace } | { accepted: false; guidance: Guidance };

export const GATE = {
  /** Detections below this are noise (the model's own threshold). */
  minScore: 0.75,
  /** A clear, unobstructed face scores at least this; masks, hands and hair pull it down. */
  clearScore: 0.8,
  /**
   * Face box at least this share of the frame's width and height. (The short-range model stops
   * finding faces below ≈ 0.13 of the width: smaller ones read as "no face".)
   */
  minSize: 0.15,
  /** Face centre inside these shares of the frame (x, then y). */
  centreX: [0.2, 0.8] as const,
  centreY: [0.15, 0.85] as const,
  /** Face luma: mean at least, spread at least (0–255). */
  minMean: 70,
  minStd: 12,
  /** Frontal: eyes level, nose between them (shares of the eye distance), ears balanced. */
  maxEyeTilt: 0.35,
  maxNoseOffset: 0.35,
  minEarBalance: 0.4,
} as const;

export function faceGate(frame: GateFrame): GateVerdict {
  const faces = frame.faces.filter((f) => f.score >= GATE.minScore);
  const [face] = faces;
  // Too dark to find a face: the cause is the light (no face, no mask would send them the wrong way).
  if (!face) return { accepted: false, guidance: frame.light && frame.light.mean < GATE.minMean ? 'light' : 'no-face' };
  // Anyone else in view, however small once a detector sees them: only the candidate may be there.
  if (faces.length + (frame.wide ? othersOf(frame.wide.faces, frame.faces) : []).length > 1) return { accepted: false, guidance: 'several' };
  const [x1, y1, x2, y2] = face.box;
  if ((x2 - x1) / frame.width < GATE.minSize || (y2 - y1) / frame.height < GATE.minSize) return { accepted: false, guidance: 'closer' };
  const cx = (x1 + x2) / 2 / frame.width;
  const cy = (y1 + y2) / 2 / frame.height;
  if (cx < GATE.centreX[0] || cx > GATE.centreX[1] || cy < GATE.centreY[0] || cy > GATE.centreY[1]) return { accepted: false, guidance: 'centre' };
  if (face.light.mean < GATE.minMean || face.light.std < GATE.minStd) return { accepted: false, guidance: 'light' };
  if (face.score < GATE.clearScore) return { accepted: false, guidance: 'uncover' };
  if (!frontal(face.landmarks)) return { accepted: false, guidance: 'frontal' };
  return { accepted: true, face };
}

/** The six landmarks where a frontal, uncovered face has them. */
export function frontal(landmarks: Point[]): boolean {
  const [rEye, lEye, nose, mouth, rEar, lEar] = landmarks;
  if (!rEye || !lEye || !nose || !mouth || !rEar || !lEar) return false;
  const eyeDist = lEye[0] - rEye[0];
  if (eyeDist <= 0) return false;
  const level = Math.abs(lEye[1] - rEye[1]) <= GATE.maxEyeTilt * eyeDist;
  const noseCentred = Math.abs(nose[0] - (rEye[0] + lEye[0]) / 2) <= GATE.maxNoseOffset * eyeDist;
  const ordered = nose[1] > Math.min(rEye[1], lEye[1]) && mouth[1] > nose[1];
  const rSide = rEye[0] - rEar[0];
  const lSide = lEar[0] - lEye[0];
  const earsOut = rSide > 0 && lSide > 0;
  const balanced = earsOut && Math.min(rSide, lSide) / Math.max(rSide, lSide) >= GATE.minEarBalance;
  return level && noseCentred && ordered && balanced;
}
