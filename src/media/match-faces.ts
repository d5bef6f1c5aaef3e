import { decideMatch, type Described, type MatchOutcome } from '../core/face-match.js';
import type { Description } from '../../workers/face-api.js';
import { describeImage } from './face-worker-client.js';

export interface FaceMatchRun extends MatchOutcome {
  /** Present only when both images had exactly one face (for exams that keep descriptors). */
  descriptors: { capture: number[]; reference: number[] } | null;
  ms: number;
}

const described = (d: Description): Described =>
  d.descriptor && d.faces === 1 ? { ok: true, descriptor: d.descriptor } : { ok: false, reason: d.faces === 0 ? 'no-face' : 'several' };

/** Compares the login capture with the reference photo on this device (face worker). */
export async function matchFaces(capture: Blob, reference: Blob, threshold: number): Promise<FaceMatchRun> {
  const t0 = performance.now();
  const ref = await describeImage(reference);
  const cap = await describeImage(capture);
  const outcome = decideMatch(described(cap), described(ref), threshold);
  const descriptors = outcome.similarity !== null && cap.descriptor && ref.descriptor ? { capture: cap.descriptor, reference: ref.descriptor } : null;
  return { ...outcome, descriptors, ms: performance.now() - t0 };
}
