/**
 * Face match (R2, biometric): the login capture against the roster's reference photo, on the
 * device, only after explicit consent. Descriptors come from the face worker; this decides.
 *
 * The outcome is one of the identity paths the server records for every candidate of an exam
 * with face match: `matched`, or the non-face path for any other reason — the candidate is
 * never locked out; the proctor checks identity live instead.
 */
export const IDENTITY_PATHS = ['matched', 'not-matched', 'declined', 'no-reference', 'unavailable'] as const;
export type IdentityPath = (typeof IDENTITY_PATHS)[number];
/** The paths a device reports after comparing (declining is an answer, not an outcome). */
export const COMPARED_PATHS = ['matched', 'not-matched', 'no-reference', 'unavailable'] as const;
export type ComparedPath = (typeof COMPARED_PATHS)[number];

/**
 * Pearson correlation of two descriptors (cosine of the mean-centred vectors), in [-1, 1].
 * Centring matters for this model: its raw outputs share a large common component, so the plain
 * cosine of any two faces is ≈ 1 (measured: 0.996 for two different people).
 */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n === 0 || n !== b.length) throw new Error(`descriptors differ in length (${a.length} vs ${b.length})`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/** What the device found in one image before comparing. */
export type Described = { ok: true; descriptor: ArrayLike<number> } | { ok: false; reason: 'no-face' | 'several' };

export interface MatchOutcome {
  path: ComparedPath;
  /** Present when both images had exactly one face. */
  similarity: number | null;
}

/**
 * The decision: exactly one face in each image, and their similarity at least the exam's
 * threshold. A reference photo without exactly one face cannot be compared (`no-reference`);
 * a capture without one (`unavailable`) is the device's problem, not the candidate's identity.
 */
export function decideMatch(capture: Described, reference: Described, threshold: number): MatchOutcome {
  if (!reference.ok) return { path: 'no-reference', similarity: null };
  if (!capture.ok) return { path: 'unavailable', similarity: null };
  const s = similarity(capture.descriptor, reference.descriptor);
  return { path: s >= threshold ? 'matched' : 'not-matched', similarity: Math.round(s * 1000) / 1000 };
}
