import { FaceMatchState, type FaceMatchReport } from '../core/api-schema.js';
import type { IdentityPath } from '../core/face-match.js';
import { matchFaces } from '../media/match-faces.js';
import type { CandidateSession } from './candidate-session.js';

const BASE = '/api/candidate/face-match';

/**
 * Face match at login (R2) for the signed-in candidate: consent on the server first, then the
 * roster photo comes to the device, both images are compared in the face worker, and only the
 * outcome goes back (with descriptors only when the exam keeps them). Any failure on the way is
 * the non-face path: the proctor checks identity live.
 */
export class IdentityCheck {
  /** The frame the face gate accepted at login (JPEG), kept in memory only. */
  capture: Blob | null = null;
  /** Similarity of the last comparison on this page, for the outcome screen. */
  similarity: number | null = null;

  constructor(private readonly session: CandidateSession) {}

  private get state(): FaceMatchState | null {
    return this.session.snapshot?.me.face.match ?? null;
  }

  private async save(state: FaceMatchState): Promise<void> {
    const me = this.session.snapshot?.me;
    if (me) await this.session.patchMe({ face: { ...me.face, match: state } });
  }

  /** Records the candidate's answer. Declining records the non-face path on the server. */
  async answer(consent: boolean): Promise<void> {
    await this.save(await this.session.api.authed('POST', `${BASE}/consent`, FaceMatchState, { consent }));
  }

  /**
   * Compares `capture` with the roster photo and records the outcome; returns the path. Without
   * a capture (no usable camera on this device) it records `unavailable`.
   */
  async compare(capture: Blob | null): Promise<IdentityPath> {
    const state = this.state;
    if (!state?.consent?.given) throw new Error('face match needs consent first');
    if (state.path) return state.path;
    if (!capture) return this.record({ path: 'unavailable', similarity: null });
    const reference = await this.session.api.authedBlob(`${BASE}/reference`);
    let report: FaceMatchReport;
    try {
      const run = await matchFaces(capture, reference, state.threshold);
      this.similarity = run.similarity;
      report = { path: run.path, similarity: run.similarity };
      if (state.storesDescriptors && run.descriptors) report.descriptors = run.descriptors;
    } catch {
      // The model could not load or run on this device: not the candidate's fault.
      report = { path: 'unavailable', similarity: null };
    }
    return this.record(report);
  }

  private async record(report: FaceMatchReport): Promise<IdentityPath> {
    const recorded = await this.session.api.authed('POST', `${BASE}/result`, FaceMatchState, report);
    await this.save(recorded);
    return recorded.path ?? report.path;
  }
}
